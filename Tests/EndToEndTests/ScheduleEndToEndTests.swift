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

    @Test("The preview's table names each fire in the zone's own words, and --after takes RFC 3339 only, offset and all")
    func previewInstants() throws {
        let table = try runCommand(BuiltProducts.hekatonctl, ["schedule", "next", "0 1,3 8 3 *", "--tz", "America/New_York",
                                                             "--after", "2026-03-08T01:30:00.250-05:00", "--count", "2"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout == """
            #  America/New_York         UTC
            1  2026-03-08 03:00:00 EDT  2026-03-08T07:00:00Z
            2  2027-03-08 01:00:00 EST  2027-03-08T06:00:00Z

            """, "the hour after the spring-forward gap is EDT")
        for instant in ["2026-03-08T05:00:00+0900", "2026-03-08T05:00:00Z and more", "2026-02-29T00:00:00Z", "2026-03-08t05:00:00z"] {
            let refused = try runCommand(BuiltProducts.hekatonctl, ["schedule", "next", "0 * * * *", "--after", instant])
            #expect(refused.status == 64, "\(instant): \(refused.stdout)")
            #expect(refused.stderr.contains("is not an RFC 3339 instant"), "\(instant): \(refused.stderr)")
        }
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
