import ControlAPI
import ControlClient
import Foundation
import Testing

/// Who may do what, decided from the socket's peer credentials of two real uids.
@Suite("Access rules with real users", .serialized)
struct AccessRuleTests {
    static let examples = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha")
    static let secondUser = "hekaton-test-b"

    /// Runs hekatonctl as another real user.
    func ctl(_ user: String, _ arguments: [String], _ daemon: DaemonUnderTest) throws -> CommandResult {
        try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl] + arguments,
                       environment: ["HEKATON_SOCKET": daemon.socketPath])
    }

    /// Makes the second participant's account when it is missing (as root).
    static func ensureSecondUser() throws {
        try #require(getuid() == 0, "switching to other uids needs root, as CI runs")
        if (try? runCommand("/usr/bin/id", [secondUser]))?.status != 0 {
            let created = try runCommand("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", secondUser])
            try #require(created.status == 0, "\(created.stderr)")
        }
    }

    @Test("Participants submit, see only their own submissions and logs, and everyone's leaderboard; hosts publish")
    func participants() throws {
        try Self.ensureSecondUser()
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        defer { daemon.stop() }
        let day = daemon.root.appendingPathComponent("day")
        _ = try runCommand("/usr/bin/env", ["python3", Self.examples.appendingPathComponent("generate.py").path,
                                            "--day", "2026-11-28", "--out", day.path, "--listeners", "200", "--livers", "50"])

        // Hosts only: a participant can neither register data nor publish.
        let register = try ctl("nobody", ["dataset", "register", "pococha-daily", day.path], daemon)
        #expect(register.status == 77, "\(register.stderr)")
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        let publish = try ctl("nobody", ["competition", "publish", competition.path], daemon)
        #expect(publish.status == 77, "\(publish.stderr)")
        #expect(try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath).status == 0)
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)

        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        var ids: [String: Int64] = [:]
        for user in ["nobody", Self.secondUser] {
            let result = try ctl(user, ["submit", "--competition", "pococha", "--tag", user, "--json", bundle.path], daemon)
            try #require(result.status == 0, "\(user): \(result.stderr)")
            ids[user] = try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
        }
        for id in ids.values {
            try waitUntil("submission \(id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
                try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state == "scored"
            }
        }

        let mine = try ctl("nobody", ["submissions", "--json"], daemon)
        let listed = try JSONDecoder().decode(SubmissionList.self, from: Data(mine.stdout.utf8)).submissions
        #expect(listed.map(\.id) == [ids["nobody"]!], "a participant sees only their own submissions")
        let theirs = try ctl("nobody", ["logs", "\(ids[Self.secondUser]!)", "--stage", "train"], daemon)
        #expect(theirs.status == 1)
        #expect(theirs.stderr.contains("no submission"), "\(theirs.stderr)")
        #expect(try ctl("nobody", ["logs", "\(ids["nobody"]!)", "--stage", "train"], daemon).status == 0)
        let board = try JSONDecoder().decode(LeaderboardResponse.self,
                                             from: Data(try ctl("nobody", ["leaderboard", "pococha", "--json"], daemon).stdout.utf8))
        #expect(Set(board.entries.map(\.participant)) == ["nobody", Self.secondUser], "everyone's entries are on the leaderboard")
        #expect(board.entries.map(\.rank) == [1, 2])
        #expect(board.entries[0].submission == ids["nobody"], "equal scores: the earlier submission ranks first")
        let cancelTheirs = try ctl("nobody", ["cancel", "\(ids[Self.secondUser]!)"], daemon)
        #expect(cancelTheirs.status == 1, "a participant cannot cancel another's submission")
        #expect(try daemon.client.call("GET", "/v1/submissions/\(ids[Self.secondUser]!)", as: SubmissionInfo.self).state == "scored")
        let all = try daemon.client.call("GET", "/v1/submissions", as: SubmissionList.self).submissions
        #expect(all.count == 2, "a host sees every submission")
        try daemon.expectHealthyStore()
    }
}
