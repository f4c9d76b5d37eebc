import ControlAPI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Access is decided from `SO_PEERCRED`: tested with a second real uid, not faked credentials.
@Suite("Peer credentials on the control socket")
struct PeerCredentialTests {
    /// Runs hekatonctl as `nobody` (a real, unprivileged uid) through runuser.
    func asNobody(_ arguments: [String], socket: String) throws -> CommandResult {
        try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", BuiltProducts.hekatonctl] + arguments,
                       environment: ["HEKATON_SOCKET": socket])
    }

    @Test("The daemon sees another user's uid and does not make them a host")
    func otherUser() throws {
        try #require(getuid() == 0, "switching to another uid needs root, as CI runs")
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        defer { daemon.stop() }
        let result = try asNobody(["status", "--json"], socket: daemon.socketPath)
        #expect(result.status == 0, "\(result.stderr)")
        let status = try JSONDecoder().decode(StatusResponse.self, from: Data(result.stdout.utf8))
        #expect(status.caller.uid == 65534)
        #expect(status.caller.user == "nobody")
        #expect(status.caller.isAdmin == false)
        #expect(status.caller.pid != getpid())
        #expect(status.disk == nil, "the state directory's disk use is the hosts'")

        let mine = try hekatonctl(["status", "--json"], socket: daemon.socketPath)
        let own = try JSONDecoder().decode(StatusResponse.self, from: Data(mine.stdout.utf8))
        #expect(own.caller.uid == 0)
        #expect(own.caller.isAdmin)
        #expect(own.disk?.first { $0.name == "database" }.map { $0.bytes > 0 } == true, "\(String(describing: own.disk))")
        #expect(try hekatonctl(["status"], socket: daemon.socketPath).stdout.contains("disk "))
    }

    @Test("Members of the admin group are hosts")
    func adminGroupMember() throws {
        try #require(getuid() == 0, "switching to another uid needs root, as CI runs")
        // nobody's primary group stands in for an admin group here: membership is what counts.
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\nadmin_group: nogroup\n")
        defer { daemon.stop() }
        let result = try asNobody(["status", "--json"], socket: daemon.socketPath)
        let status = try JSONDecoder().decode(StatusResponse.self, from: Data(result.stdout.utf8))
        #expect(status.caller.uid == 65534)
        #expect(status.caller.isAdmin)
    }

    @Test("The socket's mode keeps out users outside its group")
    func socketModeKeepsOut() throws {
        try #require(getuid() == 0, "switching to another uid needs root, as CI runs")
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        let result = try asNobody(["status"], socket: daemon.socketPath)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("permission denied"))
    }
}
