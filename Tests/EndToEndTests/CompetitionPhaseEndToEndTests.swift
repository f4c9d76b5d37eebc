import ControlAPI
import ControlClient
import Foundation
import Testing

/// Submissions only while a competition is open: before `opens_at`, after `closes_at` and
/// after a host's `hekatonctl competition close`, each refused with a message that says
/// when, and nothing stored.
@Suite("Competition phases through the daemon", .serialized)
struct CompetitionPhaseEndToEndTests {
    @Test("Submissions are refused before opens_at, after closes_at and once a host closes the competition; participants cannot close")
    func refusedOutsideTheWindow() throws {
        try AccessRuleTests.ensureSecondUser()
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 50, livers: 20)
        defer { daemon.stop() }
        func publish(_ name: String, phases: String?) throws {
            let directory = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition-\(name)")) {
                $0.replacingOccurrences(of: "name: pococha\n", with: "name: \(name)\n") + (phases.map { "phases:\n\($0)" } ?? "")
            }
            let published = try hekatonctl(["competition", "publish", directory.path], socket: daemon.socketPath)
            try #require(published.status == 0, "\(published.stderr)")
        }
        try publish("soon", phases: "  opens_at: 2099-01-01 00:00\n")
        try publish("over", phases: "  opens_at: 2020-01-01 00:00\n  closes_at: 2020-06-01 12:30\n  time_zone: Asia/Tokyo\n")
        try publish("now", phases: nil)
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        func submit(_ competition: String) throws -> CommandResult {
            try runCommand("/usr/sbin/runuser", ["-u", AccessRuleTests.secondUser, "--", BuiltProducts.hekatonctl,
                                                 "submit", "--competition", competition, bundle.path],
                           environment: ["HEKATON_SOCKET": daemon.socketPath])
        }

        let early = try submit("soon")
        #expect(early.status == 1)
        #expect(early.stderr.contains("'soon' opens at 2099-01-01 00:00 UTC"), "\(early.stderr)")
        let late = try submit("over")
        #expect(late.status == 1)
        #expect(late.stderr.contains("'over' closed at 2020-06-01 12:30 Asia/Tokyo"), "\(late.stderr)")
        #expect(late.stderr.contains("takes no more submissions"), "\(late.stderr)")

        // A participant may not close it; a host may, once.
        let theirs = try runCommand("/usr/sbin/runuser", ["-u", AccessRuleTests.secondUser, "--", BuiltProducts.hekatonctl,
                                                          "competition", "close", "now"],
                                    environment: ["HEKATON_SOCKET": daemon.socketPath])
        #expect(theirs.status == 77, "\(theirs.stderr)")
        #expect(try daemon.client.call("GET", "/v1/competitions/now", as: CompetitionInfo.self).phase == "open")
        let closed = try hekatonctl(["competition", "close", "now"], socket: daemon.socketPath)
        #expect(closed.status == 0 && closed.stdout.contains("closed now: it takes no more submissions"), "\(closed.stdout)\(closed.stderr)")
        let again = try hekatonctl(["competition", "close", "now", "--json"], socket: daemon.socketPath)
        let info = try JSONDecoder().decode(CompetitionInfo.self, from: Data(again.stdout.utf8))
        #expect(info.phase == "closed" && info.closedNow == false && info.closedAt != nil)
        let refused = try submit("now")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("'now' was closed by a host at"), "\(refused.stderr)")
        let show = try hekatonctl(["competition", "show", "over"], socket: daemon.socketPath)
        #expect(show.stdout.contains("phase        closed at 2020-06-01 12:30 Asia/Tokyo"), "\(show.stdout)")
        let list = try daemon.client.call("GET", "/v1/competitions", as: CompetitionList.self).competitions
        #expect(Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0.phase) }) == ["soon": "upcoming", "over": "closed", "now": "closed"])
        #expect(try daemon.client.call("GET", "/v1/submissions", as: SubmissionList.self).submissions.isEmpty, "nothing was stored")
        try daemon.expectHealthyStore()
    }
}
