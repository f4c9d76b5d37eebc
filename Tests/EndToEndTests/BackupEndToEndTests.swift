import ControlAPI
import ControlClient
import Foundation
import Testing

/// A backup of a running daemon, taken while a submission trains, and a daemon started on it.
@Suite("Backups", .serialized)
struct BackupEndToEndTests {
    @Test("A backup taken while a submission trains restores to the same leaderboard and lineage, fsck clean, and the training runs again and scores")
    func backupWhileTraining() throws {
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 60, livers: 20)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        func submit(_ bundle: URL) throws -> Int64 {
            let result = try hekatonctl(["submit", "--competition", "pococha", "--json", bundle.path], socket: daemon.socketPath)
            try #require(result.status == 0, "\(result.stderr)")
            return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
        }
        let popularity = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: popularity)
        let scored = try submit(popularity)
        try waitUntil("submission \(scored) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/submissions/\(scored)", as: SubmissionInfo.self).state == "scored"
        }
        // A second one that trains slowly: the backup is taken while it runs.
        let slow = daemon.root.appendingPathComponent("slow")
        try FileManager.default.copyItem(at: popularity, to: slow)
        let source = slow.appendingPathComponent("submission.py")
        try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "import hekaton\n", with: "import hekaton\nimport time\n")
            .replacingOccurrences(of: "def train(self, dataset: hekaton.Dataset) -> None:\n", with: "def train(self, dataset: hekaton.Dataset) -> None:\n        time.sleep(6)\n")
            .write(to: source, atomically: true, encoding: .utf8)
        let training = try submit(slow)
        try waitUntil("submission \(training) to train", timeout: .seconds(300), poll: .milliseconds(100)) {
            try daemon.client.call("GET", "/v1/submissions/\(training)", as: SubmissionInfo.self).state == "training"
        }

        let restoredRoot = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: restoredRoot) }
        let destination = restoredRoot.appendingPathComponent("state").path
        let result = try hekatonctl(["backup", destination, "--json"], socket: daemon.socketPath)
        try #require(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(BackupReport.self, from: Data(result.stdout.utf8))
        #expect(report.runningJobs >= 1 && report.submissions == 2, "\(report)")
        #expect(report.referencedBlobs > 0 && report.blobs >= report.referencedBlobs && report.linkedFiles > 0, "\(report)")
        #expect(!FileManager.default.fileExists(atPath: destination + "/instance.json"), "the running daemon's instance stays with it")

        // Refused, changing nothing: an existing destination, a relative one, one inside the state directory.
        for (path, message) in [(destination, "exists; a backup goes to a new directory"), ("relative/dir", "must be an absolute path"),
                                (daemon.stateDirectory + "/copy", "is in the state directory")] {
            let (head, body) = try daemon.client.raw("POST", "/v1/backup", body: Array(try JSONEncoder().encode(BackupRequest(destination: path))))
            #expect([400, 409].contains(head.status) && String(decoding: body, as: UTF8.self).contains(message), "\(path): \(String(decoding: body, as: UTF8.self))")
        }
        #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/copy"))

        let before = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        let model = try #require(try daemon.client.call("GET", "/v1/submissions/\(scored)", as: SubmissionInfo.self).modelDigest)
        let reference = "model:" + String(model.split(separator: ":").last!.prefix(16))
        let lineageBefore = try hekatonctl(["lineage", reference, "--format", "json"], socket: daemon.socketPath)

        let restored = try DaemonUnderTest(root: restoredRoot)
        defer { restored.stop() }
        let after = try restored.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(after.entries.map(\.submission) == before.entries.map(\.submission) && after.entries.map(\.score) == before.entries.map(\.score))
        let lineageAfter = try hekatonctl(["lineage", reference, "--format", "json"], socket: restored.socketPath)
        #expect(lineageAfter.status == 0 && lineageAfter.stdout == lineageBefore.stdout, "\(lineageAfter.stderr)")
        let fsck = try hekatonctl(["fsck", "--json"], socket: restored.socketPath)
        #expect(fsck.status == 0 && (try? JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8)))?.healthy == true, "\(fsck.stdout)")
        // The training that was running when the copy was taken is rescued and runs to the end there.
        try waitUntil("the rescued submission to be scored on the restored daemon", timeout: .seconds(300), poll: .milliseconds(200)) {
            try restored.client.call("GET", "/v1/submissions/\(training)", as: SubmissionInfo.self).state == "scored"
        }
        try restored.expectHealthyStore()
        try daemon.expectHealthyStore()
    }
}
