import ControlAPI
import ControlClient
import Foundation
import Testing

/// What a new host and a new participant start from works as it is.
@Suite("Scaffolds and submission rules", .serialized)
struct ScaffoldEndToEndTests {
    func waitForEnd(_ id: Int64, _ daemon: DaemonUnderTest) throws -> SubmissionInfo {
        var last: SubmissionInfo?
        try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
            last = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(last!.state)
        }
        return last!
    }

    @Test("competition init scaffolds a competition that publishes; init --competition a submission that is scored")
    func scaffolds() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let host = daemon.root.appendingPathComponent("toy")
        let initialized = try hekatonctl(["competition", "init", "toy", host.path], socket: daemon.socketPath)
        try #require(initialized.status == 0, "\(initialized.stderr)")
        let again = try hekatonctl(["competition", "init", "toy", host.path], socket: daemon.socketPath)
        #expect(again.status != 0, "a directory that is not empty is refused")

        let data = daemon.root.appendingPathComponent("toy-data")
        let made = try runCommand("/usr/bin/env", ["python3", host.appendingPathComponent("make_data.py").path, "--out", data.path])
        try #require(made.status == 0, "\(made.stderr)")
        try #require(try hekatonctl(["dataset", "register", "toy-data", data.path], socket: daemon.socketPath).status == 0)
        let published = try hekatonctl(["competition", "publish", host.path], socket: daemon.socketPath)
        try #require(published.status == 0, "\(published.stderr)")

        let participant = daemon.root.appendingPathComponent("mine")
        let start = try hekatonctl(["init", "--competition", "toy", participant.path], socket: daemon.socketPath)
        try #require(start.status == 0, "\(start.stderr)")
        #expect(FileManager.default.fileExists(atPath: participant.appendingPathComponent("submission.py").path))
        // The directory remembers its competition, so submit needs no --competition.
        let submitted = try hekatonctl(["submit", "--json", participant.path], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8)).id
        let ended = try waitForEnd(id, daemon)
        #expect(ended.state == "scored", "\(ended.error ?? "") \(ended.logTail ?? "")")
        let board = try daemon.client.call("GET", "/v1/competitions/toy/leaderboard", as: LeaderboardResponse.self)
        #expect(board.direction == "minimize")
        #expect(board.entries.first?.submission == id)
        try daemon.expectHealthyStore()
    }

    @Test("A bundle over the competition's limit and submissions over the daily limit are refused and change nothing")
    func rules() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let host = daemon.root.appendingPathComponent("toy")
        try #require(try hekatonctl(["competition", "init", "toy", host.path], socket: daemon.socketPath).status == 0)
        let manifest = host.appendingPathComponent("hekaton.yaml")
        var text = try String(contentsOf: manifest, encoding: .utf8)
        text = text.replacingOccurrences(of: #"max_bundle_bytes: [^\n#]*"#, with: "max_bundle_bytes: 64KiB ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"per_participant_per_day: [0-9]+"#, with: "per_participant_per_day: 1", options: .regularExpression)
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let data = daemon.root.appendingPathComponent("toy-data")
        _ = try runCommand("/usr/bin/env", ["python3", host.appendingPathComponent("make_data.py").path, "--out", data.path])
        try #require(try hekatonctl(["dataset", "register", "toy-data", data.path], socket: daemon.socketPath).status == 0)
        try #require(try hekatonctl(["competition", "publish", host.path], socket: daemon.socketPath).status == 0)

        let big = daemon.root.appendingPathComponent("big")
        try FileManager.default.copyItem(at: host.appendingPathComponent("template"), to: big)
        try Data(repeating: 7, count: 200_000).write(to: big.appendingPathComponent("weights.bin"))
        let tooBig = try hekatonctl(["submit", "--competition", "toy", big.path], socket: daemon.socketPath)
        #expect(tooBig.status == 65, "\(tooBig.stderr)")
        #expect(tooBig.stderr.contains("weights.bin"), "the message names the largest files: \(tooBig.stderr)")
        #expect(tooBig.stderr.contains(".hekatonignore"))

        let small = host.appendingPathComponent("template")
        #expect(try hekatonctl(["submit", "--competition", "toy", small.path], socket: daemon.socketPath).status == 0)
        let second = try hekatonctl(["submit", "--competition", "toy", small.path], socket: daemon.socketPath)
        #expect(second.status == 1)
        #expect(second.stderr.contains("limit is 1 a day"), "\(second.stderr)")
        #expect(try daemon.client.call("GET", "/v1/submissions", as: SubmissionList.self).submissions.count == 1)
        try daemon.expectHealthyStore()
    }
}
