@testable import ControlClient
import Testing

@Suite("ssh:// addresses")
struct SSHTargetTests {
    @Test("A user, a host, a port and the remote socket are read; what is left out is left to ssh")
    func parsed() throws {
        let full = try SSHTarget.parse("ssh://ada@build-01.example.org:2222/run/hekaton/hekatond.sock").get()
        #expect(full == SSHTarget(user: "ada", host: "build-01.example.org", port: 2222, socketPath: "/run/hekaton/hekatond.sock"))
        #expect(full.description == "ssh://ada@build-01.example.org:2222/run/hekaton/hekatond.sock")
        let bare = try SSHTarget.parse("ssh://build-01").get()
        #expect(bare.user == nil && bare.port == nil && bare.socketPath == nil)
        let six = try SSHTarget.parse("ssh://ada@[::1]:22").get()
        #expect(six.host == "::1" && six.port == 22 && six.description == "ssh://ada@[::1]:22")
    }

    @Test("Anything else is refused with what to write", arguments: [
        "http://build-01", "ssh://", "ssh://ada@", "ssh://-oProxyCommand=x", "ssh://ada@build 01", "ssh://build-01:0",
        "ssh://build-01:65536", "ssh://build-01:22x", "ssh://a;b@build-01", "ssh://build-01/", "ssh://[::1", "ssh://$(id)@h",
    ])
    func refused(text: String) {
        guard case .failure(let error) = SSHTarget.parse(text) else {
            Issue.record("\(text) was taken")
            return
        }
        #expect(error.message.contains("is not an ssh:// address") && error.message.contains("ssh://ada@build-01"))
    }

    @Test("The remote command is quoted for the remote shell; options come before the host, after --")
    func command() throws {
        let target = try SSHTarget.parse("ssh://ada@h:2222/tmp/it's here.sock").get()
        let argv = target.command(environment: ["HEKATON_SSH_COMMAND": "ssh -F /tmp/cfg", "HEKATON_REMOTE_HEKATONCTL": "/opt/hekaton/bin/hekatonctl"])
        #expect(argv == ["ssh", "-F", "/tmp/cfg", "-T", "-o", "ConnectTimeout=30", "-p", "2222", "-l", "ada", "--", "h",
                         "'/opt/hekaton/bin/hekatonctl' 'dial-stdio' '--socket' '/tmp/it'\\''s here.sock'"])
        #expect(try SSHTarget.parse("ssh://h").get().command(environment: [:]) == ["ssh", "-T", "-o", "ConnectTimeout=30", "--", "h", "'hekatonctl' 'dial-stdio'"])
    }
}
