import Foundation
import GRDB
import Images
import Lineage
import Scheduler

/// Turns a participant's bundle into a submission and its graph of stage jobs, in one
/// transaction: the submission never exists without its jobs, nor the jobs without it.
public struct SubmissionIntake: Sendable {
    public let queue: JobQueue
    public let blobs: BlobStore
    public let layout: PipelineLayout

    public init(queue: JobQueue, blobs: BlobStore, layout: PipelineLayout) {
        self.queue = queue
        self.blobs = blobs
        self.layout = layout
    }

    /// Refuses at once when `competition` takes no submissions now (before its `opens_at`,
    /// or closed): the route asks before it unpacks a bundle; `submit` asks again in its
    /// transaction.
    public func checkOpen(competition name: String, now: Date = Date()) throws {
        try queue.writer.read { db in
            guard let version = try CompetitionVersion.latest(of: name, db) else { return }
            try Self.checkOpen(version, now: now, db)
        }
    }

    static func checkOpen(_ version: CompetitionVersion, now: Date, _ db: Database) throws {
        let phase = try CompetitionClosure.phase(of: version, now: now, db)
        if let refusal = phase.refusal(version.competition, version.manifest, now: now) {
            throw PipelineError(.notOpen, refusal)
        }
    }

    /// - Parameter bundleDirectory: the extracted bundle; it is stored in the blob store and
    ///   may be deleted afterwards.
    public func submit(competition name: String, bundleDirectory: String, participantUID: UInt32, participant: String,
                       tag: String?, now: Date = Date()) throws -> Submission {
        let database = queue.writer
        let version = try database.read { db in try CompetitionVersion.latest(of: name, db) }
        guard let version else {
            throw PipelineError(.unknownCompetition, "no competition named '\(name)'; `hekatonctl competition list` shows them")
        }
        if let tag { try LineageName.validate(tag, as: .tag) }
        try database.read { db in try Self.checkOpen(version, now: now, db) }
        let manifest = version.manifest
        let requirements = FileManager.default.contents(atPath: bundleDirectory + "/requirements.txt") ?? Data()
        guard FileManager.default.fileExists(atPath: bundleDirectory + "/submission.py") else {
            throw PipelineError(.invalidBundle, "the bundle has no submission.py; it must define the classes Trainer and Predictor (see `hekatonctl init --competition \(name)`)")
        }
        // In image mode a missing base or a refused Dockerfile is said before anything is stored.
        if let policy = manifest.images {
            _ = try EnvironmentBuild.recipe(policy, layout: layout, bundleDirectory: bundleDirectory, bundleDigest: nil)
        }
        let bundle = try TreeSnapshot(store: blobs).capture(bundleDirectory)
        let recipe = try manifest.images.map { policy in
            try EnvironmentBuild.recipe(policy, layout: layout, bundleDirectory: bundleDirectory, bundleDigest: bundle.rootDigest.description)
        }
        let environmentDigest = recipe?.key ?? PipelineLayout.environmentDigest(requirements: requirements, python: layout.python)

        return try database.write { db in
            // Again here: a host may have closed it while the bundle was stored.
            try Self.checkOpen(version, now: now, db)
            let dayAgo = now.addingTimeInterval(-86400)
            // A team shares one limit: its members' submissions count together.
            let team = try Teams.team(of: participantUID, in: name, db)
            let uids = team?.uids ?? [participantUID]
            let recent = try Submission.filter(sql: """
                participant_uid IN (SELECT value FROM json_each(?)) AND competition = ? AND submitted_at > ? AND kind = 'submission'
                """, arguments: ["[" + uids.map(String.init).joined(separator: ",") + "]", name, dayAgo]).fetchCount(db)
            if recent >= manifest.submission.perParticipantPerDay {
                let who = team.map { "your team '\($0.name)' has" } ?? "you have"
                throw PipelineError(.rateLimited, "\(who) made \(recent) submissions to '\(name)' in the last 24 hours; the limit is \(manifest.submission.perParticipantPerDay) a day\(team == nil ? "" : " per team")")
            }
            guard let dataset = try DatasetVersion.find(dataset: manifest.dataset.name, tag: nil, db) else {
                throw PipelineError(.unknownCompetition, "competition '\(name)' has no data yet: a host must register the dataset '\(manifest.dataset.name)' first")
            }
            var submission = Submission(
                id: nil, competition: name, competitionVersionID: version.id!, datasetVersionID: dataset.id!,
                participantUID: participantUID, participant: participant, tag: tag, bundleDigest: bundle.rootDigest.description,
                environmentDigest: environmentDigest, state: .queued, submittedAt: now)
            try submission.insert(db)
            let id = submission.id!
            let bundleRecord = try CodeBundle.findOrCreate(digest: bundle.rootDigest, submitter: participant, at: now, db)
            let competitionContext = try LineageContext.findOrCreate(.competition, name: name, at: now, db)
            let submissionContext = try LineageContext.findOrCreate(.submission, name: "\(name)-\(id)", parentID: competitionContext.id, at: now, db)
            try submissionContext.add([bundleRecord.node, .datasetVersion(dataset.id!)], db)

            try Self.enqueueStages(db, for: &submission, manifest: manifest, queue: queue, layout: layout, recipe: recipe,
                                   shareKey: team.map { "team:\($0.name)" } ?? Self.shareKey(participant: participant))
            return submission
        }
    }

    /// The fair share a participant's stages take turns in.
    public static func shareKey(participant: String) -> String { "participant:\(participant)" }

    /// Enqueues a submission's build → train → predict → score jobs (without train when the
    /// submission evaluates a model it was given) and records their ids on it. A participant's
    /// stages carry their share, so that ready stages take turns across participants; the
    /// host's (a retraining round's) carry none and go first among their equals.
    static func enqueueStages(_ db: Database, for submission: inout Submission, manifest: CompetitionManifest,
                              queue: JobQueue, layout: PipelineLayout, extraLabels: [String: String] = [:],
                              recipe: EnvironmentRecipe? = nil, shareKey: String? = nil, priority: Int = 0) throws {
        let id = submission.id!
        func spec(_ stage: Stage, _ argv: [String], after: [Int64], unique: String? = nil) -> JobSpec {
            let limits = stage == .build ? manifest.images?.buildLimits ?? manifest.limits.limits(for: stage.rawValue)
                : manifest.limits.limits(for: stage.rawValue)
            // Where the manifest sends the stage; the daemon's `executor:` when it does not say.
            return JobSpec(kind: .stage, argv: argv, queue: stage.rawValue, priority: priority, timeoutSeconds: limits.wallTimeSeconds, maxAttempts: 2,
                           uniqueKey: unique, dependencies: after,
                           labels: [Stage.label: stage.rawValue, Stage.submissionLabel: "\(id)", "hekaton.competition": submission.competition]
                               .merging(extraLabels) { old, _ in old },
                           executor: manifest.executor(for: stage.rawValue)?.rawValue, shareKey: shareKey)
        }
        let environmentDigest = submission.environmentDigest
        var buildCommand = EnvironmentBuild.argv(layout, environmentDigest: environmentDigest, submissionID: id)
        if let images = manifest.images {
            let runner = ImageBuild.Runner.detect()
            if let recipe {
                buildCommand = EnvironmentBuild.imageArgv(layout, recipe, submissionID: id, limits: images.buildLimits, runner: runner)
            } else if let earlier = try Self.earlierBuild(of: submission, db),
                      let argv = EnvironmentBuild.imageArgv(reusing: earlier, layout: layout, submissionID: id,
                                                            limits: images.buildLimits, runner: runner) {
                // A round's submission of code submitted before: the same image build.
                buildCommand = argv
            }
        }
        let build = try queue.enqueue(db, spec(.build, buildCommand, after: [],
                                               unique: "environment:\(environmentDigest)")).job
        var last = build.id
        // An evaluation or a re-scoring predicts with a model trained before.
        if submission.kind != .evaluate && submission.kind != .rescore {
            let train = try queue.enqueue(db, spec(.train, manifest.entrypoints.train, after: [build.id])).job
            submission.trainJob = train.id
            last = train.id
        }
        let predict = try queue.enqueue(db, spec(.predict, manifest.entrypoints.predict, after: [last])).job
        let score = try queue.enqueue(db, spec(.score, manifest.entrypoints.score, after: [predict.id])).job
        submission.buildJob = build.id
        submission.predictJob = predict.id
        submission.scoreJob = score.id
        try submission.update(db)
    }

    /// The build command of the submission this one derives from (a retrain round's).
    static func earlierBuild(of submission: Submission, _ db: Database) throws -> [String]? {
        guard let source = submission.sourceSubmissionID,
              let buildJob = try Submission.fetchOne(db, key: source)?.buildJob else { return nil }
        return try Job.fetchOne(db, key: buildJob)?.argv
    }
}
