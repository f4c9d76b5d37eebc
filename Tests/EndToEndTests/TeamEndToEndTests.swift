import ControlAPI
import ControlClient
import Foundation
import Testing

/// Teams through the real daemon with two real users: one daily limit, one fair share and
/// one leaderboard entry per team; bad teams refused, changing nothing.
@Suite("Teams with real users", .serialized)
struct TeamEndToEndTests {
    @Test("A team shares its daily limit and fair share and ranks once; unknown users, a second team and participants are refused")
    func teams() throws {
        try AccessRuleTests.ensureSecondUser()
        let second = AccessRuleTests.secondUser
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 60, livers: 20)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition")) {
            $0.replacingOccurrences(of: "per_participant_per_day: 20", with: "per_participant_per_day: 2")
        }
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        func ctl(_ user: String, _ arguments: [String]) throws -> CommandResult {
            try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl] + arguments,
                           environment: ["HEKATON_SOCKET": daemon.socketPath])
        }
        let teams = { try daemon.client.call("GET", "/v1/competitions/pococha/teams", as: TeamList.self).teams }

        #expect(try ctl(second, ["team", "set", "pococha", "red", "nobody", second]).status == 77, "participants cannot make teams")
        let made = try hekatonctl(["team", "set", "pococha", "red", "nobody", second], socket: daemon.socketPath)
        #expect(made.status == 0 && made.stdout.contains("team red of pococha: \(second), nobody"), "\(made.stdout)\(made.stderr)")
        let unknown = try hekatonctl(["team", "set", "pococha", "blue", "no-such-user-xyz"], socket: daemon.socketPath)
        #expect(unknown.status == 1 && unknown.stderr.contains("no user named 'no-such-user-xyz'"), "\(unknown.stderr)")
        let twice = try hekatonctl(["team", "set", "pococha", "blue", "nobody"], socket: daemon.socketPath)
        #expect(twice.status == 1 && twice.stderr.contains("nobody is already in team 'red'"), "\(twice.stderr)")
        let badName = try hekatonctl(["team", "set", "pococha", "Red Team", "nobody"], socket: daemon.socketPath)
        #expect(badName.status == 1 && badName.stderr.contains("not a valid team name"), "\(badName.stderr)")
        #expect(try teams() == [TeamInfo(team: "red", members: [second, "nobody"])], "the refusals changed nothing")

        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        func submit(_ user: String) throws -> CommandResult {
            try ctl(user, ["submit", "--competition", "pococha", "--json", bundle.path])
        }
        var ids: [Int64] = []
        for user in ["nobody", second] {
            let result = try submit(user)
            try #require(result.status == 0, "\(user): \(result.stderr)")
            ids.append(try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id)
        }
        let third = try submit(second)
        #expect(third.status == 1 && third.stderr.contains("your team 'red' has made 2 submissions"), "\(third.stderr)")
        #expect(third.stderr.contains("per team"), "\(third.stderr)")
        for id in ids {
            try waitUntil("submission \(id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
                try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state == "scored"
            }
            let train = try #require(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).jobs["train"])
            #expect(try daemon.client.call("GET", "/v1/jobs/\(train)", as: JobInfo.self).share == "team:red")
        }
        let board = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(board.entries.count == 1 && board.entries[0].team == "red", "the team ranks once: \(board.entries)")
        #expect(board.entries[0].submission == ids[0], "equal scores: the earlier submission is the team's")
        #expect(try hekatonctl(["leaderboard", "pococha"], socket: daemon.socketPath).stdout.contains("TEAM"))

        // Without the team, each counts alone again.
        #expect(try hekatonctl(["team", "remove", "pococha", "red"], socket: daemon.socketPath).status == 0)
        #expect(try teams().isEmpty)
        #expect(try hekatonctl(["team", "remove", "pococha", "red"], socket: daemon.socketPath).status == 1)
        let alone = try submit(second)
        #expect(alone.status == 0, "\(alone.stderr)")
        let after = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(after.entries.allSatisfy { $0.team == nil })
        try daemon.expectHealthyStore()
    }

    @Test("Teams from the file the manifest names are set at publication; a file with an unknown user or a member of another team publishes nothing")
    func teamsFile() throws {
        try AccessRuleTests.ensureSecondUser()
        let second = AccessRuleTests.secondUser
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 20, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition")) {
            $0 + "\nteams: teams.yaml\n"
        }
        let file = competition.appendingPathComponent("teams.yaml")
        let teams = { try daemon.client.call("GET", "/v1/competitions/pococha/teams", as: TeamList.self).teams }
        let versions = { try daemon.client.call("GET", "/v1/competitions/pococha", as: CompetitionInfo.self).versions }

        let missing = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        #expect(missing.status == 1 && missing.stderr.contains("the teams file teams.yaml does not exist"), "\(missing.stderr)")

        try Data("red: [nobody, \(second)]\n".utf8).write(to: file)
        let published = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        #expect(published.status == 0, "\(published.stderr)")
        #expect(try teams() == [TeamInfo(team: "red", members: [second, "nobody"])])

        for (text, message) in [("red: [nobody]\nblue: [no-such-user-xyz]\n", "names no user 'no-such-user-xyz'"),
                                ("red: [nobody]\nblue: [nobody]\n", "nobody is listed in team 'red' and again in 'blue'"),
                                ("Red Team: [nobody]\n", "not a valid team name")] {
            try Data(text.utf8).write(to: file)
            let refused = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(text): \(refused.stderr)")
        }
        // A member whom `hekatonctl team` put in another team: the file cannot move them.
        #expect(try hekatonctl(["team", "set", "pococha", "blue", "root"], socket: daemon.socketPath).status == 0)
        try Data("red: [nobody, root]\n".utf8).write(to: file)
        let moved = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        #expect(moved.status == 1 && moved.stderr.contains("root is already in team 'blue'"), "\(moved.stderr)")
        #expect(try teams() == [TeamInfo(team: "blue", members: ["root"]), TeamInfo(team: "red", members: [second, "nobody"])],
                "the refused files changed nothing")
        try Data("red: [nobody]\n".utf8).write(to: file)
        #expect(try versions() == 1, "and published nothing")
        let narrowed = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        #expect(narrowed.status == 0, "\(narrowed.stderr)")
        #expect(try teams() == [TeamInfo(team: "blue", members: ["root"]), TeamInfo(team: "red", members: ["nobody"])],
                "a new version sets the file's teams again, and leaves the host's others")
        try daemon.expectHealthyStore()
    }
}
