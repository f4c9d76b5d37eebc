import Foundation
import GRDB
import Lineage
import Scheduler

/// Records what a stage job produced in the transaction that finishes the job: its run,
/// inputs and outputs in the lineage graph, and the submission's model and score.
public struct PipelineRecorder: Sendable {
    let layout: PipelineLayout
    let rounds: RetrainRounds
    let automation: AutomationRecorder

    public init(layout: PipelineLayout, queue: JobQueue, blobs: BlobStore) {
        self.layout = layout
        self.rounds = RetrainRounds(queue: queue, layout: layout, blobs: blobs)
        self.automation = AutomationRecorder(layout: layout, rounds: rounds)
    }

    /// Why the stage could not even start (its inputs could not be prepared, a storage error
    /// among them): that, and not the participant's code, is the submission's error.
    static func couldNotRun(_ completion: JobCompletion) -> String? {
        guard case .couldNotRun(let failure) = completion.outcome else { return nil }
        return failure.message
    }

    public func record(_ db: Database, _ completion: JobCompletion) throws {
        guard let job = try Job.fetchOne(db, key: completion.jobID) else { return }
        let labels = job.labels
        if let task = AutomationTask(labels: labels) {
            try automation.record(task, db, completion, job: job)
            return
        }
        guard let stage = labels[Stage.label].flatMap(Stage.init(rawValue:)),
              let submissionID = labels[Stage.submissionLabel].flatMap(Int64.init),
              var submission = try Submission.fetchOne(db, key: submissionID) else { return }
        let result = StageResult.read(StageResult.path(layout, submission: submissionID, stage: stage))
        let now = Date()
        guard completion.state == .succeeded else {
            if completion.state.isFinal {
                submission.state = completion.state == .cancelled ? .cancelled : .failed
                submission.failedStage = stage.rawValue
                submission.error = Self.couldNotRun(completion) ?? result?.error
                    ?? "the \(stage.rawValue) stage failed; see `hekatonctl logs \(submissionID) --stage \(stage.rawValue)`"
                submission.finishedAt = now
                try submission.update(db)
                try rounds.submissionFinished(submission, now: now, db)
            }
            return
        }
        if let error = result?.error {
            // The process exited 0 but left nothing usable: the attempt fails.
            throw PipelineError(.invalidBundle, error)
        }
        let bundle = try CodeBundle.filter(sql: "digest = ? AND submitter = ?",
                                           arguments: [submission.bundleDigest, submission.participant]).fetchOne(db)
        let environmentDigest = try Digest(parsing: submission.environmentDigest)
        let environmentExisted = try Environment.filter(Column("digest") == environmentDigest).fetchCount(db) > 0
        let environment = try Environment.findOrCreate(digest: environmentDigest, at: now, db)
        let dataset = LineageNode.datasetVersion(submission.datasetVersionID)
        let context = try LineageContext.findOrCreate(.submission, name: "\(submission.competition)-\(submissionID)", at: now, db)
        switch stage {
        case .build:
            // A shared environment is built once; later submissions reuse it without a run.
            if environmentExisted { return }
            var run = try Run.start(.build, jobID: completion.jobID, inputs: bundle.map { [$0.node] } ?? [], at: now, db)
            try run.recordOutput(environment.node, db)
            try run.finish(.succeeded, at: now, db)
            try context.add([run.node, environment.node], db)
        case .train:
            guard let digest = result?.modelDigest else { throw PipelineError(.invalidBundle, "the train stage recorded no model") }
            var run = try Run.start(.train, jobID: completion.jobID,
                                    inputs: [dataset, environment.node] + (bundle.map { [$0.node] } ?? []), at: now, db)
            let model = try run.recordModel(digest: try Digest(parsing: digest), at: now, db)
            try run.finish(.succeeded, at: now, db)
            submission.modelID = model.id
            try context.add([run.node, model.node], db)
        case .predict:
            guard let digest = result?.predictionsDigest, let modelID = submission.modelID else {
                throw PipelineError(.invalidBundle, "the predict stage recorded no predictions")
            }
            var run = try Run.start(.predict, jobID: completion.jobID, inputs: [.model(modelID), dataset], at: now, db)
            let artifact = try run.recordArtifact(kind: "predictions", digest: try Digest(parsing: digest), at: now, db)
            try run.finish(.succeeded, at: now, db)
            try context.add([run.node, artifact.node], db)
        case .score:
            guard let value = result?.score, let modelID = submission.modelID else {
                throw PipelineError(.invalidBundle, "the score stage recorded no score")
            }
            var run = try Run.start(.score, jobID: completion.jobID, at: now, db)
            if let predictJob = submission.predictJob,
               let predictions = try Artifact.filter(sql: "kind = 'predictions' AND run_id IN (SELECT id FROM lineage_run WHERE job_id = ?)",
                                                     arguments: [predictJob]).order(sql: "id DESC").fetchOne(db) {
                try run.recordInputs([predictions.node], db)
            }
            let score = try run.recordScore(metric: result?.metric ?? "score", value: value, modelID: modelID,
                                            datasetVersionID: submission.datasetVersionID, at: now, db)
            try run.finish(.succeeded, at: now, db)
            submission.score = value
            submission.state = .scored
            submission.finishedAt = now
            try context.add([run.node, score.node], db)
        }
        try submission.update(db)
        if submission.state == .scored { try rounds.submissionFinished(submission, now: now, db) }
    }
}
