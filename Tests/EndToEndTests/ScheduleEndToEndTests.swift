import ControlAPI
import ControlClient
import Foundation
import Testing

@Suite("Schedules through hekatonctl and the real daemon")
struct ScheduleEndToEndTests {
    @Test("schedule next previews without a daemon, in the zone and in UTC")
    func preview() throws {
        let result = try runCommand(BuiltProducts.hekatonctl, ["schedule", "next", "30 2 * * *", "--tz", "America/New_York",
                                                              "--after", "2026-03-07T00:00:00Z", "--count", "3", "--json"],
                                    environment: ["HEKATON_SOCKET": "/nonexistent"])
        #expect(result.status == 0, "\(result.stderr)")
        struct Preview: Decodable { let next: [String] }
        let preview = try JSONDecoder().decode(Preview.self, from: Data(result.stdout.utf8))
        // 2:30 does not exist on 8 March 2026 in New York: it fires at 3:00 EDT, right after the gap.
        #expect(preview.next == ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        let table = try runCommand(BuiltProducts.hekatonctl, ["schedule", "next", "0 9 * * mon", "--tz", "Europe/Berlin", "--count", "2"])
        #expect(table.stdout.contains("Europe/Berlin"))
        #expect(table.stdout.contains("UTC"))
    }

    @Test("add, list, show, run, suspend, resume, rm")
    func lifecycle() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let marker = daemon.root.appendingPathComponent("fired").path
        let add = try hekatonctl(["schedule", "add", "nightly", "--cron", "0 3 * * *", "--tz", "Asia/Tokyo", "--",
                                  "/bin/sh", "-c", "echo fired >> \(marker)"], socket: daemon.socketPath)
        #expect(add.status == 0, "\(add.stderr)")
        let list = try daemon.client.call("GET", "/v1/schedules", as: ScheduleList.self)
        #expect(list.schedules.map(\.name) == ["nightly"])
        #expect(list.schedules.first?.nextFireAt?.hasSuffix("T18:00:00.000Z") == true, "03:00 in Tokyo is 18:00 UTC")

        let run = try hekatonctl(["schedule", "run", "nightly"], socket: daemon.socketPath)
        #expect(run.status == 0, "\(run.stderr)")
        try waitUntil("the manual fire's job to run") { FileManager.default.fileExists(atPath: marker) }
        let shown = try daemon.client.call("GET", "/v1/schedules/nightly", as: ScheduleInfo.self)
        #expect(shown.events?.first?.kind == "manual")
        #expect(shown.lastJobID != nil)

        #expect(try hekatonctl(["schedule", "suspend", "nightly"], socket: daemon.socketPath).status == 0)
        #expect(try daemon.client.call("GET", "/v1/schedules/nightly", as: ScheduleInfo.self).suspended)
        #expect(try hekatonctl(["schedule", "resume", "nightly"], socket: daemon.socketPath).status == 0)
        #expect(try hekatonctl(["schedule", "rm", "nightly"], socket: daemon.socketPath).status == 0)
        #expect(try daemon.client.call("GET", "/v1/schedules", as: ScheduleList.self).schedules.isEmpty)
    }

    @Test("Bad schedules are refused with clear errors and change nothing")
    func badInput() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let never = try hekatonctl(["schedule", "add", "x", "--cron", "0 0 30 2 *", "--", "/bin/true"], socket: daemon.socketPath)
        #expect(never.status == 64)
        #expect(never.stderr.contains("never"), "\(never.stderr)")
        let zone = try hekatonctl(["schedule", "add", "x", "--cron", "0 0 * * *", "--tz", "Mars/Base", "--", "/bin/true"], socket: daemon.socketPath)
        #expect(zone.status == 64)
        #expect(zone.stderr.contains("Mars/Base"))
        #expect(try hekatonctl(["schedule", "add", "x", "--cron", "0 0 * * *", "--", "/bin/true"], socket: daemon.socketPath).status == 0)
        let duplicate = try hekatonctl(["schedule", "add", "x", "--cron", "5 0 * * *", "--", "/bin/true"], socket: daemon.socketPath)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("exists already"))
        // The daemon checks too, whatever the client did.
        let (head, _) = try daemon.client.raw("POST", "/v1/schedules", body: Array(#"{"name":"y","cron":"0 0 31 4 *","argv":["/bin/true"]}"#.utf8))
        #expect(head.status == 400)
        let schedules = try daemon.client.call("GET", "/v1/schedules", as: ScheduleList.self).schedules
        #expect(schedules.map(\.name) == ["x"])
        #expect(schedules.first?.cron == "0 0 * * *")
    }
}
