import ControlAPI
import ControlClient
import Foundation
import Testing

/// Public and private leaderboards through the real daemon and the example's score
/// entrypoint: participants see the public board (and their public score) while the
/// competition runs, hosts the private one too, and everyone the private one once it closes.
@Suite("Public and private leaderboards", .serialized)
struct LeaderboardSplitEndToEndTests {
    @Test("The private board is hidden from participants until the competition closes; the public one ranks meanwhile")
    func boards() throws {
        try AccessRuleTests.ensureSecondUser()
        let second = AccessRuleTests.secondUser
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 120, livers: 30)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try String(contentsOf: competition.appendingPathComponent("hekaton.yaml"), encoding: .utf8).contains("splits:"),
                "the example splits its rows")
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        func ctl(_ user: String, _ arguments: [String]) throws -> CommandResult {
            try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl] + arguments,
                           environment: ["HEKATON_SOCKET": daemon.socketPath])
        }
        var ids: [String: Int64] = [:]
        for (user, example) in [("nobody", "popularity"), (second, "itemknn")] {
            let bundle = daemon.root.appendingPathComponent(example)
            try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/\(example)"), to: bundle)
            let result = try ctl(user, ["submit", "--competition", "pococha", "--json", bundle.path])
            try #require(result.status == 0, "\(user): \(result.stderr)")
            ids[user] = try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
        }
        for id in ids.values {
            try waitUntil("submission \(id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
                try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state == "scored"
            }
        }
        func board(_ user: String, _ extra: [String] = []) throws -> (CommandResult, LeaderboardResponse?) {
            let result = try ctl(user, ["leaderboard", "pococha", "--json"] + extra)
            return (result, try? JSONDecoder().decode(LeaderboardResponse.self, from: Data(result.stdout.utf8)))
        }

        let (_, shown) = try board("nobody")
        let open = try #require(shown)
        #expect(open.board == "public" && open.entries.count == 2)
        #expect(open.entries.allSatisfy { $0.publicScore != nil && $0.privateScore == nil && $0.score == $0.publicScore },
                "participants see public scores only: \(open.entries)")
        let own = try daemon.client.call("GET", "/v1/submissions/\(ids["nobody"]!)", as: SubmissionInfo.self)
        #expect(own.score == open.entries.first { $0.submission == ids["nobody"] }?.publicScore, "a submission shows its public score")

        let (hidden, _) = try board("nobody", ["--private"])
        #expect(hidden.status == 77 && hidden.stderr.contains("shown to hosts until the competition closes"), "\(hidden.stderr)")
        let host = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard?board=private", as: LeaderboardResponse.self)
        #expect(host.board == "private" && host.entries.allSatisfy { $0.privateScore != nil && $0.score == $0.privateScore })
        let bad = try hekatonctl(["leaderboard", "pococha"], socket: daemon.socketPath)
        #expect(bad.stdout.contains("on the public leaderboard"), "\(bad.stdout)")

        // Final selections: a participant selects their own, never another's.
        let mine = ids["nobody"]!, theirs = ids[second]!
        let selected = try ctl("nobody", ["select", "\(mine)", "--json"])
        #expect(selected.status == 0, "\(selected.stderr)")
        let selection = try? JSONDecoder().decode(SelectionInfo.self, from: Data(selected.stdout.utf8))
        #expect(selection?.chosen == true && selection?.submissions.map(\.id) == [mine] && selection?.limit == 2, "\(selected.stdout)")
        let stolen = try ctl(second, ["select", "\(mine)"])
        #expect(stolen.status != 0 && stolen.stderr.contains("no submission \(mine) of yours"), "\(stolen.stderr)")
        let shown2 = try ctl(second, ["select", "--competition", "pococha", "--json"])
        let defaulted = try? JSONDecoder().decode(SelectionInfo.self, from: Data(shown2.stdout.utf8))
        #expect(defaulted?.chosen == false && defaulted?.submissions.map(\.id) == [theirs], "their best public one stands in: \(shown2.stdout)")

        #expect(try hekatonctl(["competition", "close", "pococha"], socket: daemon.socketPath).status == 0)
        let (after, closedBoard) = try board("nobody", ["--private"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(closedBoard?.board == "private" && closedBoard?.entries.allSatisfy { $0.privateScore != nil } == true)
        // The shake-up: each entry's public rank and its move from it.
        let final = try #require(closedBoard).entries
        #expect(Set(final.compactMap(\.publicRank)) == [1, 2], "\(final)")
        #expect(final.allSatisfy { entry in entry.movement == entry.publicRank.map { $0 - entry.rank } }, "\(final)")
        #expect(final.first { $0.submission == mine }?.selected == true && final.first { $0.submission == theirs }?.selected == false)
        let text = try ctl("nobody", ["leaderboard", "pococha", "--private"])
        #expect(text.stdout.contains("MOVE") && text.stdout.contains("best public"), "\(text.stdout)")
        let late = try ctl("nobody", ["select", "\(mine)"])
        #expect(late.status != 0 && late.stderr.contains("its final selections are settled"), "\(late.stderr)")
        try daemon.expectHealthyStore()
    }
}
