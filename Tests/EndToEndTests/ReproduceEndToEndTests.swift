import ControlAPI
import ControlClient
import Foundation
import Testing

/// `hekatonctl reproduce` through the real daemon and sandbox: a deterministic submission
/// reproduces exactly; one that draws from os.urandom does not, and says so.
@Suite("Reproducing submissions", .serialized)
struct ReproduceEndToEndTests {
    @Test("A deterministic submission reproduces exactly and is marked; one that draws from os.urandom does not, and says which part differs")
    func reproduce() throws {
        try AccessRuleTests.ensureSecondUser()
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 80, livers: 20)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition")) {
            $0.replacingOccurrences(of: "per_participant_per_day: 20", with: "per_participant_per_day: 4")
        }
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)

        let steady = daemon.root.appendingPathComponent("steady")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: steady)
        // Seeded randomness and string hashing go into the model: a reproduction matches only
        // when it runs with its source's seed and hash seed.
        let steadyCode = steady.appendingPathComponent("submission.py")
        try String(contentsOf: steadyCode, encoding: .utf8).replacingOccurrences(
            of: "        (self.model_dir / \"ranking.json\")",
            with: "        import random\n        (self.model_dir / \"draws.txt\").write_text(f\"{random.random()} {hash('liver')} {hekaton.seed()}\")\n        (self.model_dir / \"ranking.json\")")
            .write(to: steadyCode, atomically: true, encoding: .utf8)
        let noisy = daemon.root.appendingPathComponent("noisy")
        try FileManager.default.copyItem(at: steady, to: noisy)
        let code = noisy.appendingPathComponent("submission.py")
        let text = try String(contentsOf: code, encoding: .utf8)
        try text.replacingOccurrences(of: "        (self.model_dir / \"ranking.json\")",
                                      with: "        import os\n        (self.model_dir / \"noise.bin\").write_bytes(os.urandom(16))\n        (self.model_dir / \"ranking.json\")")
            .write(to: code, atomically: true, encoding: .utf8)

        func submitScored(_ bundle: URL, _ tag: String) throws -> SubmissionInfo {
            let result = try hekatonctl(["submit", "--competition", "pococha", "--tag", tag, "--json", bundle.path], socket: daemon.socketPath)
            try #require(result.status == 0, "\(result.stderr)")
            let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
            try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
                ["scored", "failed", "cancelled"].contains(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state)
            }
            let info = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            try #require(info.state == "scored", "\(info.error ?? "")")
            return info
        }
        let first = try submitScored(steady, "steady")
        let second = try submitScored(noisy, "noisy")

        // Someone else's submission is not theirs to reproduce; nothing is queued.
        let theirs = try runCommand("/usr/sbin/runuser", ["-u", AccessRuleTests.secondUser, "--", BuiltProducts.hekatonctl,
                                                          "reproduce", "\(first.id)"],
                                    environment: ["HEKATON_SOCKET": daemon.socketPath])
        #expect(theirs.status == 1 && theirs.stderr.contains("no submission \(first.id) of yours"), "\(theirs.stderr)")
        let all = { try daemon.client.call("GET", "/v1/submissions?kind=all", as: SubmissionList.self).submissions }
        #expect(try all().count == 2)

        let exact = try hekatonctl(["reproduce", "\(first.id)"], socket: daemon.socketPath)
        #expect(exact.status == 0, "\(exact.stderr)")
        #expect(exact.stdout.contains("reproduced #\(first.id) exactly: the model digest"), "\(exact.stdout)")
        let differs = try hekatonctl(["reproduce", "\(second.id)", "--json"], socket: daemon.socketPath)
        #expect(differs.status == 1)
        #expect(differs.stderr.contains("did not reproduce #\(second.id) exactly: the model digest differs"), "\(differs.stderr)")
        #expect(differs.stderr.contains("the score matches"), "\(differs.stderr)")
        let verdict = try JSONDecoder().decode(SubmissionInfo.self, from: Data(differs.stdout.utf8))
        #expect(verdict.kind == "reproduce" && verdict.source == second.id && verdict.reproduced == false)

        // A reproduction is not itself reproduced, and never ranks; the board marks both entries.
        let again = try hekatonctl(["reproduce", "\(verdict.id)"], socket: daemon.socketPath)
        #expect(again.status == 1 && again.stderr.contains("is a reproduce the daemon made"), "\(again.stderr)")
        // Two submissions and two reproductions: the daily limit of 4 is reached.
        let over = try hekatonctl(["reproduce", "\(first.id)", "--no-wait"], socket: daemon.socketPath)
        #expect(over.status == 1 && over.stderr.contains("has made 4 submissions and reproductions"), "\(over.stderr)")
        #expect(over.stderr.contains("the limit is 4 a day"), "\(over.stderr)")
        let board = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        let marks = Dictionary(uniqueKeysWithValues: board.entries.map { ($0.submission, $0.reproduced) })
        #expect(board.entries.count == 1, "one participant: one entry, the reproductions do not rank")
        #expect(marks[board.entries[0].submission] == (board.entries[0].submission == first.id ? true : false))
        let shown = try hekatonctl(["leaderboard", "pococha"], socket: daemon.socketPath)
        #expect(shown.stdout.contains("REPRODUCED"), "\(shown.stdout)")
        try daemon.expectHealthyStore()
    }
}
