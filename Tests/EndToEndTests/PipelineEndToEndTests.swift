import ControlAPI
import ControlClient
import Foundation
import Testing

/// The product: a host publishes the Pococha example, registers a day of data, participants
/// submit code, and the real daemon builds, trains, predicts and scores in the real sandbox.
@Suite("Competitions end to end", .serialized)
struct PipelineEndToEndTests {
    static let examples = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha")

    /// A daemon with the example competition published and one day of data registered;
    /// `manifestAddition` is appended to a copy of the example's manifest. With `images` the
    /// example keeps its environment images and the daemon gets their base; otherwise it runs
    /// on virtual environments (`ExampleCompetition`).
    func competitionDaemon(manifestAddition: String = "", images: Bool = false) throws -> DaemonUnderTest {
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        if images { try ImageFixture.installBase(into: daemon.stateDirectory) }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"), images: images) { $0 + manifestAddition }
        let day = daemon.root.appendingPathComponent("day")
        let generated = try runCommand("/usr/bin/env", ["python3", Self.examples.appendingPathComponent("generate.py").path,
                                                        "--day", "2026-11-28", "--seed", "1", "--out", day.path])
        try #require(generated.status == 0, "\(generated.stderr)")
        let registered = try hekatonctl(["dataset", "register", "pococha-daily", "--tag", "2026-11-28", day.path], socket: daemon.socketPath)
        try #require(registered.status == 0, "\(registered.stderr)")
        let published = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        try #require(published.status == 0, "\(published.stderr)")
        return daemon
    }

    func submit(_ directory: URL, tag: String, _ daemon: DaemonUnderTest, asUser user: String? = nil) throws -> SubmissionInfo {
        let arguments = ["submit", "--competition", "pococha", "--tag", tag, "--json", directory.path]
        let result: CommandResult
        if let user {
            result = try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl] + arguments,
                                    environment: ["HEKATON_SOCKET": daemon.socketPath])
        } else {
            result = try hekatonctl(arguments, socket: daemon.socketPath)
        }
        try #require(result.status == 0, "submit \(tag): \(result.stderr)")
        return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8))
    }

    func waitForEnd(_ id: Int64, _ daemon: DaemonUnderTest, timeout: Duration = .seconds(300)) throws -> SubmissionInfo {
        var last: SubmissionInfo?
        try waitUntil("submission \(id) to end (last: \(last?.state ?? "-"))", timeout: timeout, poll: .milliseconds(200)) {
            last = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(last!.state)
        }
        return last!
    }

    @Test("The three example submissions are trained, evaluated and ranked as expected; lineage leads back to code and data")
    func examplesRank() throws {
        let daemon = try competitionDaemon()
        defer { daemon.stop() }
        var ids: [String: Int64] = [:]
        for name in ["popularity", "itemknn", "mf"] {
            ids[name] = try submit(Self.examples.appendingPathComponent("submissions/\(name)"), tag: name, daemon).id
        }
        var scores: [String: Double] = [:]
        for (name, id) in ids {
            let ended = try waitForEnd(id, daemon)
            #expect(ended.state == "scored", "\(name): \(ended.error ?? "") \(ended.logTail ?? "")")
            scores[name] = ended.score
        }
        let popularity = try #require(scores["popularity"])
        #expect(try #require(scores["itemknn"]) > popularity + 0.1)
        #expect(try #require(scores["mf"]) > popularity + 0.1)

        let board = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(board.entries.count == 1, "one participant: their best submission counts")
        #expect(board.entries.first?.score == scores.values.max())

        let best = try daemon.client.call("GET", "/v1/submissions/\(board.entries[0].submission)", as: SubmissionInfo.self)
        let model = try #require(best.modelDigest)
        let lineage = try hekatonctl(["lineage", "model:" + model.dropFirst(7).prefix(12), "--format", "json"], socket: daemon.socketPath)
        #expect(lineage.status == 0, "\(lineage.stderr)")
        #expect(lineage.stdout.contains("pococha-daily"))
        #expect(lineage.stdout.contains(best.bundleDigest))

        let listing = try hekatonctl(["submissions", "--competition", "pococha"], socket: daemon.socketPath)
        #expect(listing.stdout.contains("scored"))
        let logs = try hekatonctl(["logs", "\(ids["mf"]!)", "--stage", "train"], socket: daemon.socketPath)
        #expect(logs.status == 0)
        #expect(logs.stdout.contains("hekaton: train"), "\(logs.stdout)")
        try daemon.expectHealthyStore()
    }
}
