import Foundation
import GRDB
@testable import HekatonDaemon
import Logging
import Lineage
import Pipeline
import Testing

/// What `GET /v1/submissions/{id}` answers is one moment's truth: the submission's row and the
/// jobs its state comes from are read together.
@Suite("A submission's answer")
struct SubmissionInfoTests {
    @Test("A row read before its stage's ending was recorded still answers with the recorded error")
    func staleRow() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("submission-info-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ text: String, _ path: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        let database = try DaemonDatabase.open(stateDirectory: root)
        let context = try DaemonContext(database: database, stateDirectory: root, socketPath: root + "/s", startedAt: Date(),
                                        logger: Logger(label: "test"),
                                        layout: PipelineLayout(stateDirectory: root, sdkDirectory: root + "/sdk"))
        try write("""
            name: toy
            metric: {name: recall@10, direction: maximize}
            dataset: {name: toy-daily, train: train, features: eval/features, labels: eval/labels}
            entrypoints: {train: [python3, host/train.py], predict: [python3, host/predict.py], score: [python3, host/score.py]}
            """, root + "/competition/hekaton.yaml")
        for script in ["train", "predict", "score"] { try write("", root + "/competition/host/\(script).py") }
        _ = try CompetitionCatalog(database: database, blobs: context.blobs).publish(directory: root + "/competition", tag: nil, publisher: 0)
        for part in ["train/rows.csv", "eval/features/rows.csv", "eval/labels/rows.csv"] { try write("day 1\n", root + "/data/" + part) }
        let manifest = try TreeSnapshot(store: context.blobs).capture(root + "/data").manifest
        _ = try await database.write { db in try DatasetVersion.register(dataset: "toy-daily", manifest: manifest, source: root + "/data", at: Date(), db) }
        try write("class Trainer: pass\nclass Predictor: pass\n", root + "/bundle/submission.py")
        let stale = try #require(context.intake).submit(competition: "toy", bundleDirectory: root + "/bundle", participantUID: 1000,
                                                         participant: "ada", tag: nil)
        #expect(stale.error == nil)

        // The build's ending, recorded as the worker pool records it: the job and the row in one transaction.
        let error = "the environment build failed: the RUN step exited 137"
        try await database.write { db in
            try db.execute(sql: "UPDATE job SET state = 'dead' WHERE id = ?", arguments: [stale.buildJob])
            try db.execute(sql: "UPDATE submission SET state = 'failed', error = ?, failed_stage = 'build' WHERE id = ?",
                           arguments: [error, stale.id])
        }
        let info = try await context.submissionInfo(stale)
        #expect(info.state == "failed")
        #expect(info.error == error, "the answer read the row as it was before the ending: \(info.error ?? "no error")")
    }
}
