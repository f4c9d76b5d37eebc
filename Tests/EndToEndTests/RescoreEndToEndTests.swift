import ControlAPI
import ControlClient
import Foundation
import Testing

/// Re-scoring through the real daemon and the example's entrypoints: two more days of data
/// re-score both entries' models on each, and the leaderboard shows the board as it stood on
/// any of the three versions and each entry's stability across them.
@Suite("Every entry re-scored on every new dataset version", .serialized)
struct RescoreEndToEndTests {
    @Test("Three dataset versions: each entry is re-scored on the two new ones; --version shows the board as it stood; the stability column spans all three")
    func threeVersions() throws {
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 80, livers: 20)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition")) {
            $0 + "\nrescore: {top: 10, stability: 3}\n"
        }
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        var ids: [Int64] = []
        // Two participants: the leaderboard's entries are each participant's best.
        for (user, example) in [("root", "popularity"), ("nobody", "itemknn")] {
            let bundle = daemon.root.appendingPathComponent(example)
            try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/\(example)"), to: bundle)
            let result = try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl, "submit", "--competition", "pococha",
                                                              "--tag", example, "--json", bundle.path],
                                        environment: ["HEKATON_SOCKET": daemon.socketPath])
            try #require(result.status == 0, "\(result.stderr)")
            ids.append(try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id)
        }
        for id in ids {
            try waitUntil("submission \(id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
                try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state == "scored"
            }
        }
        // The jobs' CPU time is the sandboxed process tree's (from its resource group): an
        // interpreter that imports numpy and trains takes well over 50 ms of it; `wait4` on the
        // sandbox's outer process saw next to none.
        for id in ids {
            let train = try #require(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).jobs["train"])
            let job = try daemon.client.call("GET", "/v1/jobs/\(train)", as: JobInfo.self)
            #expect((job.userSeconds ?? 0) + (job.systemSeconds ?? 0) > 0.05, "job \(train): user \(job.userSeconds ?? -1) s, system \(job.systemSeconds ?? -1) s")
        }
        let rescores = { () throws -> [SubmissionInfo] in
            try daemon.client.call("GET", "/v1/submissions?competition=pococha&kind=all", as: SubmissionList.self).submissions
                .filter { $0.kind == "rescore" }
        }
        for (n, day) in ["2026-11-29", "2026-11-30"].enumerated() {
            let data = daemon.root.appendingPathComponent("day-\(day)")
            _ = try runCommand("/usr/bin/env", ["python3", AccessRuleTests.examples.appendingPathComponent("generate.py").path,
                                                "--day", day, "--out", data.path, "--listeners", "80", "--livers", "20"])
            let registered = try hekatonctl(["dataset", "register", "pococha-daily", "--tag", day, data.path], socket: daemon.socketPath)
            try #require(registered.status == 0, "\(registered.stderr)")
            do {
                try waitUntil("both entries re-scored on \(day)", timeout: .seconds(300), poll: .milliseconds(200)) {
                    let done = try rescores().filter { ["scored", "failed"].contains($0.state) }
                    return done.count == 2 * (n + 1)
                }
            } catch {
                let listed = try daemon.client.call("GET", "/v1/submissions?competition=pococha&kind=all", as: SubmissionList.self).submissions
                Issue.record("\(error): \(listed.map { "#\($0.id) \($0.kind ?? "?") \($0.state) \($0.datasetVersion ?? "-") \($0.error ?? "")" })")
                throw error
            }
        }
        let all = try rescores()
        #expect(all.count == 4 && all.allSatisfy { $0.state == "scored" }, "\(all.map { "\($0.id) \($0.state) \($0.error ?? "")" })")
        #expect(all.allSatisfy { $0.jobs["train"] == nil }, "re-scoring trains nothing")

        let now = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(now.entries.count == 2)
        #expect(now.entries.allSatisfy { $0.stability?.versions == 3 }, "each entry has a score on all three versions: \(now.entries)")
        for day in ["2026-11-29", "2026-11-30"] {
            let result = try hekatonctl(["leaderboard", "pococha", "--version", day, "--json"], socket: daemon.socketPath)
            let asOf = try JSONDecoder().decode(LeaderboardResponse.self, from: Data(result.stdout.utf8))
            #expect(asOf.datasetVersion == "pococha-daily@\(day)" && asOf.entries.count == 2)
            let onDay = Dictionary(uniqueKeysWithValues: all.filter { $0.datasetVersion == "pococha-daily@\(day)" }.map { ($0.source ?? 0, $0.score) })
            #expect(asOf.entries.allSatisfy { onDay[$0.submission] == $0.score }, "each entry by its re-scoring on \(day): \(asOf.entries) \(onDay)")
        }
        // The history: each entry's score on each of the three versions.
        let historyResult = try hekatonctl(["leaderboard", "pococha", "--history", "3", "--json"], socket: daemon.socketPath)
        let history = try JSONDecoder().decode(LeaderboardResponse.self, from: Data(historyResult.stdout.utf8))
        #expect(history.historyVersions == ["pococha-daily@v1", "pococha-daily@2026-11-29", "pococha-daily@2026-11-30"])
        for entry in history.entries {
            let rescored = all.filter { $0.source == entry.submission }.sorted { $0.id < $1.id }.map(\.score)
            #expect(entry.history == [entry.score] + rescored, "\(entry.participant): \(entry.history ?? []) against \(rescored)")
        }
        let table = try hekatonctl(["leaderboard", "pococha", "--history", "3"], socket: daemon.socketPath)
        #expect(table.stdout.contains("2026-11-29") && table.stdout.contains("2026-11-30"), "\(table.stdout)")
        let (badHead, badBody) = try daemon.client.raw("GET", "/v1/competitions/pococha/leaderboard?history=0")
        #expect(badHead.status == 400 && String(decoding: badBody, as: UTF8.self).contains("from 1 to 60"))
        let text = try hekatonctl(["leaderboard", "pococha"], socket: daemon.socketPath)
        #expect(text.stdout.contains("STABILITY") && text.stdout.contains("(3)"), "\(text.stdout)")
        let unknown = try hekatonctl(["leaderboard", "pococha", "--version", "1999-01-01"], socket: daemon.socketPath)
        #expect(unknown.status != 0 && unknown.stderr.contains("has no version '1999-01-01'"), "\(unknown.stderr)")
        try daemon.expectHealthyStore()
    }
}
