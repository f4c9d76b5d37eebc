import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// A competition, its data and the pipeline's job handlers on an in-memory database, with
/// the scripted executor in place of the sandbox and the cluster, driven by a real worker pool.
final class PipelineJobsFixture: Sendable {
    static let competition = "toy"

    let root: String
    let database: DatabaseQueue
    let blobs: BlobStore
    let layout: PipelineLayout
    let queue: JobQueue
    /// Plays the stages that run on this host; `cluster` those sent to the cluster.
    let stages: ScriptedStages
    let cluster: ScriptedStages
    let jobs: JobHandlers

    /// - Parameters:
    ///   - manifest: more of hekaton.yaml, such as `executors:`.
    ///   - metric: more of its `metric:`, such as `splits:`, indented by two spaces.
    ///   - entrypoints: more `entrypoints:`, such as `artifact: [...]`, indented by two spaces.
    ///   - clock: the queue's clock (job times, the workers' sleeps).
    init(tolerance: Double = 0.01, manifest: String = "", metric: String = "", entrypoints: String = "",
         clock: any WallClock = SystemWallClock(),
         script: @escaping @Sendable (Stage, Submission.Kind) -> ScriptedStages.Play) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hekaton-jobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        LineageSchema.registerMigrations(in: &migrator)
        PipelineSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        blobs = try BlobStore(root: root + "/state/blobs")
        layout = PipelineLayout(stateDirectory: root + "/state", sdkDirectory: root + "/sdk")
        // Retries at once: a failing stage's second attempt need not wait for its backoff.
        queue = JobQueue(writer: database, clock: clock, backoff: RetryBackoff(base: 0, cap: 0, jitter: 0))
        stages = ScriptedStages(name: "local", layout: layout, database: database, script: script)
        cluster = ScriptedStages(name: "slurm", layout: layout, database: database, script: script)
        let pipeline = PipelineExecutor(local: stages, cluster: cluster, layout: layout, database: database, blobs: blobs,
                                        resourceGroups: nil)
        jobs = PipelineJobs(pipeline, queue: queue).handlers
        try publish(tolerance: tolerance, more: manifest, metric: metric, entrypoints: entrypoints)
        try registerData("day 1")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func publish(tolerance: Double, more: String, metric: String, entrypoints: String) throws {
        let directory = root + "/competition"
        try write("""
            name: \(Self.competition)
            description: A competition whose stages the test plays.
            metric:
              name: recall@10
              direction: maximize
            \(metric)
            dataset:
              name: toy-daily
              train: train
              features: eval/features
              labels: eval/labels
            entrypoints:
              train: [python3, host/train.py]
              predict: [python3, host/predict.py]
              score: [python3, host/score.py]
            \(entrypoints)
            promotion:
              tolerance: \(tolerance)
              retrain_top_k: 1
            \(more)
            """, to: directory + "/hekaton.yaml")
        for script in ["train", "predict", "score", "artifact"] { try write("", to: directory + "/host/\(script).py") }
        _ = try CompetitionCatalog(database: database, blobs: blobs).publish(directory: directory, tag: nil, publisher: 0)
    }

    /// Registers a new version of the dataset whose files say `day`, its training data `bytes`
    /// more of bytes no other version has.
    @discardableResult
    func registerData(_ day: String, bytes: Int = 0) throws -> DatasetVersion {
        let directory = root + "/data-\(UUID().uuidString)"
        for part in ["train/rows.csv", "eval/features/rows.csv", "eval/labels/rows.csv"] {
            try write("\(day)\n", to: directory + "/" + part)
        }
        if bytes > 0 {
            try Self.randomData(bytes).write(to: URL(fileURLWithPath: directory + "/train/day.bin"))
        }
        let manifest = try TreeSnapshot(store: blobs).capture(directory).manifest
        return try database.write { db in
            try DatasetVersion.register(dataset: "toy-daily", manifest: manifest, source: directory, at: Date(), db).version
        }
    }

    /// `count` bytes (rounded down to 8) no other call returns.
    static func randomData(_ count: Int) -> Data {
        (0..<count / 8).map { _ in UInt64.random(in: .min ... .max) }.withUnsafeBytes { Data($0) }
    }

    func submit(_ participant: String = "ada") throws -> Submission {
        let bundle = root + "/bundle-\(participant)"
        try write("class Trainer: pass\nclass Predictor: pass\n", to: bundle + "/submission.py")
        return try SubmissionIntake(queue: queue, blobs: blobs, layout: layout)
            .submit(competition: Self.competition, bundleDirectory: bundle, participantUID: 1000, participant: participant, tag: nil)
    }

    func submission(_ id: Int64) throws -> Submission? {
        try database.read { db in try Submission.fetchOne(db, key: id) }
    }

    func job(_ id: Int64?) throws -> Job? {
        guard let id else { return nil }
        return try queue.job(id)
    }

    /// Runs a worker pool on the handlers until `done` holds (or `timeout` passes), then stops it.
    func runJobs(timeout: Duration = .seconds(20), until done: @escaping () throws -> Bool) async throws -> Bool {
        let pool = WorkerPool(
            queue: queue, executor: jobs,
            configuration: WorkerPoolConfiguration(owner: "jobs-test", maxConcurrentJobs: 2,
                                                   logDirectory: URL(fileURLWithPath: root + "/logs")),
            recordOutputs: { [jobs] db, completion in try jobs.record(db, completion) })
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try done() { return true }
                pool.wake()
                try await Task.sleep(for: .milliseconds(10))
            }
            return try done()
        }
    }
}
