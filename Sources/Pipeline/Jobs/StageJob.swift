import Foundation
import GRDB
import Lineage
import Scheduler

/// A submission's stage (build, train, predict or score): runs it, and records what it made
/// in the transaction that finishes the job: its run, inputs and outputs in the lineage
/// graph, and the submission's model and score.
struct StageJob: JobHandler {
    let pipeline: PipelineExecutor
    let rounds: RetrainRounds

    var kind: JobKind { .stage }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<StageOutput> {
        guard let (stage, submissionID) = Self.stage(of: job) else {
            throw ExecutionError(.refused, "job \(job.id) is a stage but names no stage and submission (labels \(Stage.label), \(Stage.submissionLabel))")
        }
        return try await pipeline.run(stage, submissionID: submissionID, job: job, context: context)
    }

    static func stage(of job: Job) -> (Stage, Int64)? {
        guard let stage = job.labels[Stage.label].flatMap(Stage.init(rawValue:)),
              let submissionID = job.labels[Stage.submissionLabel].flatMap(Int64.init) else { return nil }
        return (stage, submissionID)
    }

    /// Why the stage could not even start (its inputs could not be prepared, a storage error
    /// among them): that, and not the participant's code, is the submission's error.
    static func couldNotRun(_ completion: JobCompletion) -> String? {
        guard case .couldNotRun(let failure) = completion.outcome else { return nil }
        return failure.message
    }

    func record(_ db: Database, _ completion: JobCompletion, job: Job, output: StageOutput?) throws {
        guard let (stage, submissionID) = Self.stage(of: job),
              var submission = try Submission.fetchOne(db, key: submissionID) else { return }
        let now = Date()
        guard completion.state == .succeeded else {
            if completion.state.isFinal {
                submission.state = completion.state == .cancelled ? .cancelled : .failed
                submission.failedStage = stage.rawValue
                submission.error = Self.couldNotRun(completion) ?? output?.problem
                    ?? "the \(stage.rawValue) stage failed; see `hekatonctl logs \(submissionID) --stage \(stage.rawValue)`"
                submission.finishedAt = now
                try submission.update(db)
                try Self.event(submission, db)
                try rounds.submissionFinished(submission, now: now, db)
            }
            return
        }
        if let problem = output?.problem {
            // The process exited 0 but left nothing usable: the attempt fails.
            throw PipelineError(.invalidBundle, problem)
        }
        let bundle = try CodeBundle.filter(sql: "digest = ? AND submitter = ?",
                                           arguments: [submission.bundleDigest, submission.participant]).fetchOne(db)
        let environmentDigest = try Digest(parsing: submission.environmentDigest)
        let environmentExisted = try Environment.filter(Column("digest") == environmentDigest).fetchCount(db) > 0
        var imageDigest: Digest?
        if case .built(let image?) = output { imageDigest = try Digest(parsing: image.manifestDigest) }
        let environment = try Environment.findOrCreate(digest: environmentDigest, at: now, imageDigest: imageDigest, db)
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
            guard case .model(let digest) = output else { throw PipelineError(.invalidBundle, "the train stage recorded no model") }
            var run = try Run.start(.train, jobID: completion.jobID,
                                    inputs: [dataset, environment.node] + (bundle.map { [$0.node] } ?? []), at: now, db)
            let model = try run.recordModel(digest: digest, at: now, db)
            try run.finish(.succeeded, at: now, db)
            submission.modelID = model.id
            try context.add([run.node, model.node], db)
        case .predict:
            guard case .predictions(let digest) = output, let modelID = submission.modelID else {
                throw PipelineError(.invalidBundle, "the predict stage recorded no predictions")
            }
            var run = try Run.start(.predict, jobID: completion.jobID, inputs: [.model(modelID), dataset], at: now, db)
            let artifact = try run.recordArtifact(kind: "predictions", digest: digest, at: now, db)
            try run.finish(.succeeded, at: now, db)
            try context.add([run.node, artifact.node], db)
        case .score:
            guard case .score(let value, let metric, let splits) = output, let modelID = submission.modelID else {
                throw PipelineError(.invalidBundle, "the score stage recorded no score")
            }
            let declared = try CompetitionVersion.fetchOne(db, key: submission.competitionVersionID)?.manifest.metric.splits
            if declared != nil && splits == nil {
                throw PipelineError(.invalidBundle, "the manifest splits the rows into public and private, but the score entrypoint reported no 'splits' in metrics.json: return them from score() (python/README.md, \"Public and private scores\")")
            }
            submission.publicScore = splits?.publicScore
            submission.privateScore = splits?.privateScore
            var run = try Run.start(.score, jobID: completion.jobID, at: now, db)
            if let predictions = try Artifact.predictions(of: submission, db) {
                try run.recordInputs([predictions.node], db)
            }
            let score = try run.recordScore(metric: metric ?? "score", value: value, modelID: modelID,
                                            datasetVersionID: submission.datasetVersionID, at: now, db)
            try run.finish(.succeeded, at: now, db)
            submission.score = value
            submission.state = .scored
            submission.finishedAt = now
            try context.add([run.node, score.node], db)
        }
        try submission.update(db)
        if submission.state == .scored {
            try Self.event(submission, db)
            try rounds.submissionFinished(submission, now: now, db)
        }
    }

    /// A submission's ending as an event: a participant's own (and their reproductions') for
    /// them; the daemon's retrains, evaluations and re-scorings for hosts, and only when they
    /// fail (a round's decision says how the rest went).
    static func event(_ submission: Submission, _ db: Database) throws {
        let participants: Set<Submission.Kind> = [.submission, .reproduce]
        let theirs = participants.contains(submission.kind)
        let what = "\(submission.kind == .submission ? "submission" : submission.kind.rawValue) \(submission.id!)\(submission.tag.map { " (\($0))" } ?? "") of \(submission.competition)"
        var data = ["submission": "\(submission.id!)", "kind": submission.kind.rawValue]
        switch submission.state {
        case .scored where theirs:
            // With splits, the score a participant sees is the public one.
            let shown = submission.publicScore ?? submission.score
            if let shown { data["score"] = "\(shown)" }
            try Event.record(db, .submissionScored, competition: submission.competition, participantUID: submission.participantUID,
                             message: "\(what) scored \(shown.map { String(format: "%.4f", $0) } ?? "?")", data: data)
        case .failed, .cancelled:
            data["stage"] = submission.failedStage
            try Event.record(db, .submissionFailed, competition: submission.competition, participantUID: theirs ? submission.participantUID : nil,
                             message: "\(what) \(submission.state == .cancelled ? "was cancelled" : "failed")\(submission.failedStage.map { " in \($0)" } ?? ""): \(submission.error ?? "")",
                             data: data)
        default:
            break
        }
    }
}
