import ControlAPI
import ControlClient
import Foundation
import Testing

/// hekatonctl against a daemon on "another machine" through a real OpenSSH server: the
/// remote side connects to the socket as the user ssh logged in as, so the daemon's peer
/// credentials name that user.
@Suite("Remote use through ssh", .serialized, .enabled(if: SSHServer.runnable, SSHServer.skipReason))
struct SSHEndToEndTests {
    @Test("status, submit, logs --follow, events and ui over ssh:// act as the remote user; a user the socket refuses gets 77; a failed login 74")
    func remote() throws {
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 40, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let server = try SSHServer(root: daemon.root.appendingPathComponent("ssh"), users: [SSHServer.user])
        defer { server.stop() }
        let host = "ssh://\(SSHServer.user)@127.0.0.1:\(server.port)\(daemon.socketPath)"
        func remote(_ arguments: [String], host: String = host) throws -> CommandResult {
            try runCommand(BuiltProducts.hekatonctl, ["--host", host] + arguments, environment: server.clientEnvironment)
        }

        let status = try remote(["status"])
        #expect(status.status == 0 && status.stdout.contains("hekatond"), "\(status.stdout)\(status.stderr)")
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let submitted = try remote(["submit", "--competition", "pococha", "--json", bundle.path])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let info = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8))
        #expect(info.participant == SSHServer.user, "the daemon saw the remote user: \(info.participant)")

        // The training stage followed over ssh until it ends: its lines came through as they were written.
        try waitUntil("submission \(info.id) to train", timeout: .seconds(300), poll: .milliseconds(100)) {
            let state = try daemon.client.call("GET", "/v1/submissions/\(info.id)", as: SubmissionInfo.self).state
            try #require(!["failed", "cancelled"].contains(state), "the submission \(state)")
            return ["training", "predicting", "scoring", "scored"].contains(state)
        }
        let followed = try remote(["logs", "\(info.id)", "--stage", "train", "--follow"])
        #expect(followed.status == 0, "\(followed.stderr)")
        let local = try hekatonctl(["logs", "\(info.id)", "--stage", "train"], socket: daemon.socketPath)
        #expect(!followed.stdout.isEmpty && followed.stdout == local.stdout, "the whole log, as read on the machine: \(followed.stdout.suffix(1000))")
        try waitUntil("submission \(info.id) to be scored", timeout: .seconds(300), poll: .milliseconds(100)) {
            try daemon.client.call("GET", "/v1/submissions/\(info.id)", as: SubmissionInfo.self).state == "scored"
        }
        let events = try remote(["events", "--json"])
        #expect(events.status == 0 && events.stdout.contains("\"submission.scored\""), "\(events.stdout)\(events.stderr)")
        // The local user (root, a host) sees it as the remote user's, not its own.
        let mine = try hekatonctl(["submissions", "--json"], socket: daemon.socketPath)
        #expect(mine.stdout.contains("\"participant\" : \"\(SSHServer.user)\""), "\(mine.stdout)")

        // The pages through a tunnel: hekatonctl ui here, each request relayed over ssh as the remote user.
        let ui = try PageProxyUnderTest(user: nil, daemon, connection: ["--host", host], environment: server.clientEnvironment)
        defer { ui.stop() }
        let jar = daemon.root.appendingPathComponent("ui-cookies")
        let page = try runCommand("/usr/bin/curl", ["-sS", "--max-time", "60", "-L", "-c", jar.path, "-b", jar.path, "-w", "\n%{http_code}", ui.url])
        #expect(page.stdout.hasSuffix("\n200") && page.stdout.contains("pococha"), "\(page.stdout.suffix(300)) \(page.stderr)")
        let own = try runCommand("/usr/bin/curl", ["-sS", "--max-time", "60", "-b", jar.path, "http://127.0.0.1:\(ui.port)/ui/submissions/\(info.id)"])
        #expect(own.stdout.contains("popularity") || own.stdout.contains("#\(info.id)"), "the remote user's own submission page: \(own.stdout.prefix(300))")
        #expect(try ui.status("/ui/", cookie: nil) == 403, "no cookie, no pages")
        ui.stop()

        // The socket refuses the remote user: exit 77 with the reason, as on the daemon's machine.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: daemon.socketPath)
        let refused = try remote(["status"])
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: daemon.socketPath)
        #expect(refused.status == 77 && refused.stderr.contains("permission denied"), "\(refused.status) \(refused.stderr)")

        // A user ssh does not let in: exit 74, ssh's own message above ours.
        let stranger = try remote(["status"], host: "ssh://nobody@127.0.0.1:\(server.port)")
        #expect(stranger.status == 74 && stranger.stderr.contains("ssh could not connect or log in"), "\(stranger.status) \(stranger.stderr)")
        // An address that is not one changes nothing and says what to write.
        let bad = try remote(["status"], host: "ssh://-oProxyCommand=touch")
        #expect(bad.status != 0 && bad.stderr.contains("is not an ssh:// address"), "\(bad.stderr)")
    }
}

/// A real sshd on loopback, its host key, its users' authorized key and a client
/// configuration that trusts it, all in `root`. Needs root and Debian's openssh-server.
final class SSHServer {
    static let user = "hekaton-ssh"
    static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_SSH"] == "1"
    static let runnable = (getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")) || required
    static let skipReason: Comment = "needs root and Debian's openssh-server (sshd); HEKATON_REQUIRE_SSH=1 fails instead of skipping"

    /// Spawned directly: sshd closes the descriptors it inherits, which Foundation's Process
    /// takes for the child's exit (it then blocks in waitpid, and every other Process with it).
    private var pid: pid_t = 0
    let port: Int
    let root: URL
    let log: URL

    /// Environment for hekatonctl: ssh with this server's client configuration, the remote
    /// program the one under test.
    var clientEnvironment: [String: String] {
        ["HEKATON_SSH_COMMAND": "ssh -F \(root.path)/ssh_config", "HEKATON_REMOTE_HEKATONCTL": BuiltProducts.hekatonctl]
    }

    init(root: URL, users: [String]) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for user in users {
            if (try? runCommand("/usr/bin/id", [user]))?.status != 0 {
                let created = try runCommand("/usr/sbin/useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", user])
                try #require(created.status == 0, "\(created.stderr)")
            }
            // '*': no password, and not locked (sshd without PAM refuses locked accounts' keys too).
            _ = try runCommand("/usr/sbin/usermod", ["-p", "*", user])
        }
        for key in ["host", "client"] {
            let made = try runCommand("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", root.appendingPathComponent(key).path])
            try #require(made.status == 0, "\(made.stderr)")
        }
        try FileManager.default.copyItem(at: root.appendingPathComponent("client.pub"), to: root.appendingPathComponent("authorized_keys"))
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        port = try WebhookReceiver.freePort()
        try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(root.path)/host
            AuthorizedKeysFile \(root.path)/authorized_keys
            StrictModes no
            UsePAM no
            PidFile none
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin no
            AllowUsers \(users.joined(separator: " "))
            """.write(to: root.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        try """
            Host *
              IdentityFile \(root.path)/client
              IdentitiesOnly yes
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              BatchMode yes
              LogLevel ERROR
            """.write(to: root.appendingPathComponent("ssh_config"), atomically: true, encoding: .utf8)
        log = root.appendingPathComponent("sshd.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 2, log.path, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        let argv = ["/usr/sbin/sshd", "-D", "-e", "-f", root.appendingPathComponent("sshd_config").path]
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        try #require(spawned == 0, "cannot start sshd: \(String(cString: strerror(spawned)))")
        let port = port
        let log = log
        let pid = pid
        try waitUntil("sshd to listen on \(port)", timeout: .seconds(20), poll: .milliseconds(50)) {
            var status: Int32 = 0
            try #require(waitpid(pid, &status, WNOHANG) == 0, "sshd exited: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
            return Self.listening(port)
        }
    }

    /// Whether something accepts TCP connections on the loopback port.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        pid = 0
    }
}
