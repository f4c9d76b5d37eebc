import ControlAPI
import ControlClient
import Foundation
import Testing

/// The state directory's disk limits through the real daemon: over the soft limit, hosts get
/// an event; at the hard limit, new submissions are refused with a clear message while the
/// daemon serves everything else; a reload with room takes submissions again.
@Suite("Disk limits", .serialized)
struct DiskLimitEndToEndTests {
    @Test("Over the soft limit an event warns; at the hard limit a submission is refused (507) and nothing else is; a reload with room takes it")
    func limits() throws {
        let daemon = try DaemonUnderTest.withPocochaDay(configuration: "disk: {soft_limit: 64KiB, hard_limit: 128KiB}\n", listeners: 40, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let refused = try hekatonctl(["submit", "--competition", "pococha", bundle.path], socket: daemon.socketPath)
        #expect(refused.status != 0 && refused.stderr.contains("at or over its hard limit of 128 KiB (disk.hard_limit in hekatond.yaml)"),
                "\(refused.stderr)")
        #expect(try daemon.client.call("GET", "/v1/submissions", as: SubmissionList.self).submissions.isEmpty, "nothing was taken")
        let status = try hekatonctl(["status"], socket: daemon.socketPath)
        #expect(status.status == 0 && status.stdout.contains("disk "), "the daemon goes on serving: \(status.stdout)")
        let events = try hekatonctl(["events", "--kind", "disk.soft-limit", "--json"], socket: daemon.socketPath)
        #expect(events.stdout.split(separator: "\n").count == 1 && events.stdout.contains("over its soft limit of 64 KiB"), "\(events.stdout)")

        // Room again, by a reload: the same submission is taken.
        try "socket_mode: \"0666\"\ndisk: {soft_limit: 500GiB, hard_limit: 900GiB}\n"
            .write(to: daemon.root.appendingPathComponent("hekatond.yaml"), atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        try waitUntil("the reload to take effect", timeout: .seconds(30), poll: .milliseconds(100)) {
            daemon.log.contains("configuration reloaded")
        }
        let taken = try hekatonctl(["submit", "--competition", "pococha", bundle.path], socket: daemon.socketPath)
        #expect(taken.status == 0, "\(taken.stderr)")
    }
}
