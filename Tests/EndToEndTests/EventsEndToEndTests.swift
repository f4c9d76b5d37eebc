import ControlAPI
import ControlClient
import Foundation
import Testing

/// Events through the real daemon: written with the changes they report, read by each
/// participant for their own work only and by hosts for all, and followed as they happen.
@Suite("Events", .serialized)
struct EventsEndToEndTests {
    @Test("A participant reads and follows their own submissions' events, another participant none of them, a host all with the rounds and dead jobs; bad queries are refused")
    func events() throws {
        try AccessRuleTests.ensureSecondUser()
        let second = AccessRuleTests.secondUser
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 60, livers: 20)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        func ctl(_ user: String, _ arguments: [String]) throws -> CommandResult {
            try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl] + arguments,
                           environment: ["HEKATON_SOCKET": daemon.socketPath])
        }
        func events(_ user: String, _ extra: [String] = []) throws -> [EventInfo] {
            let result = try ctl(user, ["events", "--json", "--limit", "1000"] + extra)
            try #require(result.status == 0, "\(result.stderr)")
            return try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(EventInfo.self, from: Data($0.utf8)) }
        }

        // nobody follows their events before submitting anything.
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        follower.arguments = ["-u", "nobody", "--", BuiltProducts.hekatonctl, "events", "--follow", "--json"]
        follower.environment = ["HEKATON_SOCKET": daemon.socketPath, "PATH": "/usr/bin:/bin"]
        let followed = Pipe()
        follower.standardOutput = followed
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }

        let popularity = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: popularity)
        let broken = daemon.root.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: popularity, to: broken)
        let source = broken.appendingPathComponent("submission.py")
        try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "def train(self, dataset", with: "def train(self, dataset, *_):\n        raise ValueError('my model diverged')\n    def unused(self, dataset")
            .write(to: source, atomically: true, encoding: .utf8)
        var ids: [String: Int64] = [:]
        for (name, bundle) in [("good", popularity), ("broken", broken)] {
            let result = try ctl("nobody", ["submit", "--competition", "pococha", "--tag", name, "--json", bundle.path])
            try #require(result.status == 0, "\(result.stderr)")
            ids[name] = try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
        }
        for id in ids.values {
            try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
                ["scored", "failed"].contains(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state)
            }
        }

        let own = try events("nobody")
        #expect(own.map(\.kind).sorted() == ["submission.failed", "submission.scored"], "\(own.map(\.message))")
        #expect(own.first { $0.kind == "submission.scored" }?.data["submission"] == "\(ids["good"]!)")
        #expect(own.first { $0.kind == "submission.failed" }?.message.contains("failed in train") == true, "\(own.map(\.message))")
        #expect(try events(second).isEmpty, "another participant sees none of them")
        let all = try events("root")
        #expect(Set(all.map(\.kind)).isSuperset(of: ["submission.scored", "submission.failed", "production.promoted", "job.dead"]),
                "\(all.map(\.kind))")
        #expect(all.filter { $0.kind == "submission.scored" }.count == 1, "one event per change")
        #expect(all.map(\.id) == all.map(\.id).sorted(), "oldest first")

        // The follower saw both of its events as they happened.
        var lines: [String] = []
        let reader = followed.fileHandleForReading
        try waitUntil("the follower to print both events", timeout: .seconds(30), poll: .milliseconds(50)) {
            let data = reader.availableData
            lines += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            return lines.count >= 2
        }
        let streamed = try lines.map { try JSONDecoder().decode(EventInfo.self, from: Data($0.utf8)) }
        #expect(streamed.map(\.id) == own.map(\.id), "\(lines)")
        follower.terminate()

        // A new day: its round's decision is an event for hosts.
        let day = daemon.root.appendingPathComponent("day-2")
        _ = try runCommand("/usr/bin/env", ["python3", AccessRuleTests.examples.appendingPathComponent("generate.py").path,
                                            "--day", "2026-11-29", "--out", day.path, "--listeners", "60", "--livers", "20"])
        #expect(try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath).status == 0)
        try waitUntil("the round to be decided", timeout: .seconds(300), poll: .milliseconds(200)) {
            try events("root", ["--kind", "round.decided"]).count == 1
        }
        let after = try events("root", ["--after", "\(all.last!.id)", "--competition", "pococha"])
        #expect(after.contains { $0.kind == "round.decided" }, "\(after.map(\.kind))")
        #expect(try events("nobody", ["--kind", "round.decided"]).isEmpty)

        for (query, message) in [("kind=bogus", "unknown event kind 'bogus'"), ("limit=0", "limit '0' must be 1 to 1000"),
                                 ("since=yesterday", "is not an RFC 3339 time"), ("after=-1", "must be an event id")] {
            let (head, body) = try daemon.client.raw("GET", "/v1/events?\(query)")
            #expect(head.status == 400 && String(decoding: body, as: UTF8.self).contains(message), "\(query): \(String(decoding: body, as: UTF8.self))")
        }
        let text = try hekatonctl(["events", "--since", "1h"], socket: daemon.socketPath)
        #expect(text.status == 0 && text.stdout.contains("submission.scored"), "\(text.stdout)")
        try daemon.expectHealthyStore()
    }
}
