import Execution
import Images
import Foundation
import Synchronization
import GRDB
import Lineage
import Scheduler

/// What the pipeline's job handlers share: the executors, the layout and stores, and how a
/// stage is prepared (exactly its inputs materialized, its sandbox built), run in its
/// resource group (or handed to the cluster with its limits, as the daemon's configuration
/// and the manifest's `executors:` choose) and collected from.
public struct PipelineExecutor: Sendable {
    /// Runs sandboxed stages and commands on this host.
    let local: any Executor
    /// Runs what is sent to the cluster; it passes `ExecutionContext.resources` on.
    let cluster: any Executor
    /// The daemon's `executor:`; a manifest may choose otherwise per stage.
    let defaultExecutor: ExecutorKind
    let layout: PipelineLayout
    let database: any DatabaseWriter
    let blobs: BlobStore
    /// Where local sandboxes get their resource groups; nil when limits are off
    /// (`sandbox_limits: off`, or the daemon is not root).
    let resourceGroups: ResourceGroupParent?

    public init(local: any Executor, cluster: any Executor, defaultExecutor: ExecutorKind = .local,
                layout: PipelineLayout, database: any DatabaseWriter, blobs: BlobStore, resourceGroups: ResourceGroupParent?) {
        self.local = local
        self.cluster = cluster
        self.defaultExecutor = defaultExecutor
        self.layout = layout
        self.database = database
        self.blobs = blobs
        self.resourceGroups = resourceGroups
    }

    /// Runs a stage of a submission and collects what it made.
    func run(_ stage: Stage, submissionID: Int64, job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<StageOutput> {
        if Self.onCluster(job, context) {
            return try await runOnCluster(stage, submissionID: submissionID, job: job, context: context)
        }
        let prepared = try await blocking { () throws(ExecutionError) in
            try prepareReporting(stage, submissionID: submissionID, job: job, context: context)
        }
        let (result, outOfMemory) = try await execute(prepared, job, context: context, what: "the \(stage.rawValue) stage")
        if stage == .build, ImageBuild.isImageBuild(prepared.argv) {
            return try await imageBuilt(prepared, result, outOfMemory: outOfMemory, submissionID: submissionID, context: context)
        }
        let output = try await blocking { () throws(ExecutionError) in
            outOfMemory.map(StageOutput.unusable) ?? collected(stage, submissionID: submissionID, result)
        }
        return HandledAttempt(result, output: output)
    }

    /// The same sandboxed command on the cluster, the stage's limits as sbatch options
    /// instead of a local resource group. Re-attaching (after a restart) skips the
    /// preparation: the stage's files are already in place on the shared state directory.
    func runOnCluster(_ stage: Stage, submissionID: Int64, job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<StageOutput> {
        var staged = job
        var context = context
        if context.externalID == nil {
            let given = context
            let prepared = try await blocking { () throws(ExecutionError) in
                try prepareReporting(stage, submissionID: submissionID, job: job, context: given)
            }
            staged.argv = prepared.argv
            staged.environment = [:]
            staged.workingDirectory = "/"
            context.resources = ExecutionResources(cpus: prepared.limits.cpus, memoryBytes: prepared.limits.memoryBytes, gpus: prepared.limits.gpus)
        }
        let result = try await cluster.run(staged, context: context)
        let output = try await blocking { () throws(ExecutionError) in collected(stage, submissionID: submissionID, result) }
        return HandledAttempt(result, output: output)
    }

    /// Whether the job runs on the cluster: its executor, named when it was enqueued (a
    /// manifest's `executors:`) or at its first claim (the daemon's `executor:`), says so.
    /// Only the cluster executor records external ids, so one means re-attaching there.
    static func onCluster(_ job: Job, _ context: ExecutionContext) -> Bool {
        context.externalID != nil || job.executor == ExecutorKind.slurm.rawValue
    }

    /// `prepare`, its failure told in the stage's log, where participants look first. A
    /// sandbox that cannot be had (no uid left) ends the job: another try would fare the same.
    func prepareReporting(_ stage: Stage, submissionID: Int64, job: Job, context: ExecutionContext) throws(ExecutionError) -> PreparedStage {
        do {
            let prepared = try prepare(stage, submissionID: submissionID, job: job)
            if let paths = prepared.visiblePaths { JobLog.note(Self.visibilityNote(paths), to: context.logURL) }
            return prepared
        } catch {
            let message = "could not prepare the \(stage.rawValue) stage of submission \(submissionID): \(error)"
            JobLog.note(message, to: context.logURL)
            throw ExecutionError(error is SandboxError ? .refused : .spawnFailed, message)
        }
    }

    /// What a successful stage made, stored in the blob store; nil when it did not succeed.
    func collected(_ stage: Stage, submissionID: Int64, _ result: ExecutionResult) -> StageOutput? {
        guard result.succeeded else { return nil }
        do {
            return try collect(stage, submissionID: submissionID)
        } catch {
            return .unusable("the \(stage.rawValue) stage's output is unusable: \(error)")
        }
    }

    struct PreparedStage: Sendable {
        var argv: [String]
        var limits: StageLimits
        /// Participant or host code in bubblewrap, which runs locally in a resource group of
        /// `limits` (`execute`); the environment build is not.
        var sandboxed: Bool
        /// Runs in a resource group of `limits` though not sandboxed: an image build.
        var grouped = false
        /// What the stage is shown of the competition directory, when not all of it.
        var visiblePaths: [String]?

        /// The host directories the stage may write, and so must stay within its output limit.
        var outputs: [String] = []

        static func sandboxed(_ spec: SandboxSpec, command: [String]) -> PreparedStage {
            PreparedStage(argv: Bubblewrap.argv(spec, command: command), limits: spec.limits, sandboxed: true, grouped: true,
                          outputs: spec.mounts.filter(\.writable).map(\.source))
        }
    }

    func prepare(_ stage: Stage, submissionID: Int64, job: Job) throws -> PreparedStage {
        let (submission, version) = try database.read { db -> (Submission, CompetitionVersion) in
            guard let submission = try Submission.fetchOne(db, key: submissionID),
                  let version = try CompetitionVersion.fetchOne(db, key: submission.competitionVersionID) else {
                throw PipelineError(.unknownSubmission, "submission \(submissionID) or its competition is gone")
            }
            return (submission, version)
        }
        let manifest = version.manifest
        let limits = manifest.limits.limits(for: stage.rawValue)
        let snapshot = TreeSnapshot(store: blobs)
        let fm = FileManager.default
        // Each submission's files sit in a directory only its sandbox uid (and root) may
        // enter; scoring, which sees the labels, has a directory and a uid of its own.
        let uid = try layout.sandboxUID(submissionID, stage: stage)
        let directory = stage == .score ? layout.scoreDirectory(submissionID) : layout.submissionDirectory(submissionID)
        try layout.prepareRunsDirectory()
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let uid { chown(directory, uid, uid) }
        // Every stage starts from the stored bundle, so a restarted daemon or a cleaned run
        // directory loses nothing.
        let bundle = layout.path(submissionID, "bundle")
        if stage != .score, !fm.fileExists(atPath: bundle) {
            try snapshot.materialize(try Digest(parsing: submission.bundleDigest), into: bundle)
        }

        if stage == .build, ImageBuild.isImageBuild(job.argv) {
            // In image mode, in a resource group of `images.build`'s limits.
            return PreparedStage(argv: job.argv, limits: manifest.images?.buildLimits ?? limits, sandboxed: false, grouped: true)
        }
        if stage == .build {
            try fm.createDirectory(atPath: layout.stateDirectory + "/envs", withIntermediateDirectories: true)
            // The command stored with the job is the one that runs.
            let argv = EnvironmentBuild.isLegacy(job.argv)
                ? EnvironmentBuild.argv(layout, environmentDigest: submission.environmentDigest, submissionID: submissionID) : job.argv
            return PreparedStage(argv: argv, limits: limits, sandboxed: false)
        }

        let datasetManifest = try snapshot.manifest(stored: try database.read { db in
            guard let dataset = try DatasetVersion.fetchOne(db, key: submission.datasetVersionID) else {
                throw PipelineError(.unknownSubmission, "the dataset version of submission \(submissionID) is gone")
            }
            // Retention keeps what a submission that can still run needs; this is the fence if not.
            guard dataset.dataPrunedAt == nil else {
                throw PipelineError(.conflict, RetentionPolicy.prunedMessage(dataset, db: db, for: "submission \(submissionID) cannot run its \(stage.rawValue) stage"))
            }
            return dataset.rootDigest
        })
        func materializeSubtree(_ prefix: String, _ part: String) throws -> String {
            let target = directory + "/" + part
            if fm.fileExists(atPath: target) { try Self.removeTree(target) }
            try snapshot.materialize(try Self.subtree(datasetManifest, prefix), into: target)
            return target
        }
        func freshOutput(_ part: String) throws -> String {
            let target = directory + "/" + part
            if fm.fileExists(atPath: target) { try Self.removeTree(target) }
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            if let uid { chown(target, uid, uid) }
            return target
        }
        // Scoring has the whole competition directory; train and predict run participant
        // code, so they are shown only what the manifest's visibility allows, afresh each
        // time (a copy an older daemon left may hold more).
        let host = directory + "/host"
        if stage == .score {
            if !fm.fileExists(atPath: host) { try snapshot.materialize(try Digest(parsing: version.rootDigest), into: host) }
        } else {
            if fm.fileExists(atPath: host) { try Self.removeTree(host) }
            let competitionTree = try snapshot.manifest(stored: try Digest(parsing: version.rootDigest))
            try snapshot.materialize(try Self.visible(competitionTree, manifest.participantPaths), into: host)
        }

        var mounts: [SandboxSpec.Mount] = [
            .init(source: host, target: "/hekaton/host"),
            .init(source: layout.sdkDirectory, target: "/hekaton/sdk"),
        ]
        // A reproduction runs with its source's seed: the same run again, not a new one.
        let seed = submission.kind == .reproduce ? submission.sourceSubmissionID ?? submissionID : submissionID
        var environment = Self.stageEnvironment(stage.rawValue, competition: version.competition, manifest: manifest, seed: seed)
        // Only scoring splits the rows; participant code never learns which rows are private.
        if stage == .score, let splits = manifest.metric.splits { environment["HEKATON_SPLITS"] = splits.json }
        // Participant code runs on its environment image's system when it has one; scoring is
        // the host's code with the labels, and always runs on the host's system: never inside an
        // image a participant controls (its libraries, its interpreter, its /etc).
        let system = stage == .score ? ParticipantSystem(image: nil, mounts: [], environment: ["PATH": "/usr/bin:/bin"])
            : try participantSystem(of: submission, uid: uid, imageRequired: Self.requiresImages(manifest))
        var pythonPath = "/hekaton/sdk"
        let entrypoint: [String]
        switch stage {
        case .train:
            mounts += [.init(source: bundle, target: "/hekaton/submission"),
                       .init(source: try materializeSubtree(manifest.dataset.train, "train-data"), target: "/hekaton/train"),
                       .init(source: try freshOutput("model"), target: "/hekaton/model", writable: true)] + system.mounts
            environment["HEKATON_SUBMISSION_DIR"] = "/hekaton/submission"
            environment["HEKATON_TRAIN_DIR"] = "/hekaton/train"
            environment["HEKATON_MODEL_DIR"] = "/hekaton/model"
            pythonPath += ":/hekaton/submission"
            entrypoint = manifest.entrypoints.train
        case .predict:
            // An evaluation of a given model (production, on new data) has no train stage.
            let model = layout.path(submissionID, "model")
            if !fm.fileExists(atPath: model), let modelID = submission.modelID {
                try snapshot.materialize(try modelDigest(modelID), into: model)
            }
            mounts += [.init(source: bundle, target: "/hekaton/submission"),
                       .init(source: model, target: "/hekaton/model"),
                       .init(source: try materializeSubtree(manifest.dataset.features, "features"), target: "/hekaton/features"),
                       .init(source: try freshOutput("predictions"), target: "/hekaton/output", writable: true)] + system.mounts
            environment["HEKATON_SUBMISSION_DIR"] = "/hekaton/submission"
            environment["HEKATON_MODEL_DIR"] = "/hekaton/model"
            environment["HEKATON_FEATURES_DIR"] = "/hekaton/features"
            environment["HEKATON_OUTPUT_DIR"] = "/hekaton/output"
            pythonPath += ":/hekaton/submission"
            entrypoint = manifest.entrypoints.predict
        case .score:
            // The labels appear here, and only here; no participant code is mounted.
            let predictions = directory + "/predictions"
            if fm.fileExists(atPath: predictions) { try Self.removeTree(predictions) }
            guard let stored = try database.read({ db in try Artifact.predictions(of: submission, db) }) else {
                throw PipelineError(.invalidBundle, "the predict stage of submission \(submissionID) left no predictions")
            }
            try snapshot.materialize(stored.digest, into: predictions)
            mounts += [.init(source: predictions, target: "/hekaton/predictions"),
                       .init(source: try materializeSubtree(manifest.dataset.labels, "labels"), target: "/hekaton/labels"),
                       .init(source: try freshOutput("score"), target: "/hekaton/output", writable: true)]
            environment["HEKATON_PREDICTIONS_DIR"] = "/hekaton/predictions"
            environment["HEKATON_LABELS_DIR"] = "/hekaton/labels"
            environment["HEKATON_OUTPUT_DIR"] = "/hekaton/output"
            entrypoint = manifest.entrypoints.score
        case .build:
            preconditionFailure("handled above")
        }
        environment["PYTHONPATH"] = pythonPath
        // The stage's own variables win over the image's.
        environment = system.environment.merging(environment) { _, stage in stage }
        let spec = SandboxSpec(mounts: mounts, environment: environment, workingDirectory: "/hekaton/host", uid: uid, limits: limits,
                               image: system.image)
        var prepared = PreparedStage.sandboxed(spec, command: entrypoint)
        prepared.visiblePaths = stage == .score ? nil : manifest.participantPaths
        return prepared
    }

    /// The log's note of what a stage was shown, so that a host reading an ImportError
    /// there sees at once which list to extend.
    static func visibilityNote(_ paths: [String]) -> String {
        "of the competition directory this stage sees only \(paths.isEmpty ? "nothing" : paths.joined(separator: ", ")) (visibility in hekaton.yaml)"
    }

    /// What every sandboxed stage's environment holds (python/README.md, "The stage environment").
    /// For runs that can be repeated: Python's hash seed is the run's seed (set iteration order
    /// would otherwise change from run to run), and the numeric libraries' thread pools are
    /// as wide as the stage's CPU limit, fixed, so that their reductions add up the same way.
    static func stageEnvironment(_ stage: String, competition: String, manifest: CompetitionManifest, seed: Int64) -> [String: String] {
        let threads = "\(max(manifest.limits.limits(for: stage).cpus, 1))"
        return ["HEKATON_STAGE": stage, "HEKATON_COMPETITION": competition, "HEKATON_PARAMS": manifest.parametersJSON,
                "HEKATON_HOST_DIR": "/hekaton/host", "HEKATON_SEED": "\(seed)", "HOME": "/tmp", "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "\(seed.magnitude % 4_294_967_296)",
                "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "NUMEXPR_NUM_THREADS": threads]
    }

    /// Runs a prepared stage locally, a sandboxed one in a resource group of its limits made
    /// for it (and removed after); the second value says when the stage ran out of memory.
    /// A group that cannot be made ends the job: it never runs without its limits.
    func execute(_ prepared: PreparedStage, _ job: Job, context: ExecutionContext,
                 what: String) async throws(ExecutionError) -> (ExecutionResult, String?) {
        var group: ResourceGroup?
        if prepared.grouped, let resourceGroups {
            do {
                group = try resourceGroups.create(name: "job-\(job.id)", limits: prepared.limits)
            } catch {
                JobLog.note("\(what) did not run: \(error)", to: context.logURL)
                throw ExecutionError(.refused, error.message)
            }
        }
        var staged = job
        staged.argv = group?.wrap(prepared.argv) ?? prepared.argv
        staged.environment = [:]
        staged.workingDirectory = "/"
        // The output is measured while the stage runs; past its limit the stage's processes
        // are killed (the group holds them all) and the stage fails saying why.
        let budget = OutputBudget(directories: prepared.outputs, maxBytes: prepared.limits.effectiveOutputBytes)
        let overrun = Mutex<String?>(nil)
        let watcher = prepared.outputs.isEmpty ? nil : Task { [group] in
            while !Task.isCancelled {
                try? await Timers.sleep(for: .milliseconds(500))
                // Measuring walks the output directories: on the blocking pool.
                if let exceeded = (try? await BlockingWork.run { budget.overrun() }) ?? nil {
                    overrun.withLock { $0 = exceeded }
                    group?.kill()
                    return
                }
            }
        }
        var result: ExecutionResult
        do {
            result = try await local.run(staged, context: context)
        } catch {
            watcher?.cancel()
            group?.remove()
            throw error
        }
        watcher?.cancel()
        if let exceeded = overrun.withLock({ $0 }) ?? (prepared.outputs.isEmpty ? nil : budget.overrun()) {
            group?.remove()
            let message = "\(what) \(exceeded); it was stopped and its output discarded"
            JobLog.note(message, to: context.logURL)
            throw ExecutionError(.refused, message)
        }
        var outOfMemory: String?
        if let group {
            // The group saw every process of the stage; the child's own figure is the
            // wrapper's, a copy of the daemon's image.
            result.peakMemoryBytes = group.peakMemoryBytes() ?? result.peakMemoryBytes
            if let cpu = group.cpuSeconds() {
                result.userSeconds = cpu.user
                result.systemSeconds = cpu.system
            }
            if group.hitMemoryLimit() {
                outOfMemory = "\(what) ran out of memory (limit \(prepared.limits.memoryBytes >> 20) MiB)"
                result.limitsHit.insert(.memory)
            }
            if group.hitProcessLimit() { result.limitsHit.insert(.processes) }
            group.remove()
        }
        return (result, outOfMemory)
    }

    func modelDigest(_ modelID: Int64) throws -> Digest {
        guard let model = try database.read({ db in try Model.fetchOne(db, key: modelID) }) else {
            throw PipelineError(.unknownSubmission, "model \(modelID) is not in the lineage store")
        }
        return model.digest
    }

    /// Stores a stage's output in the blob store and reads its score.
    func collect(_ stage: Stage, submissionID: Int64) throws -> StageOutput {
        let snapshot = TreeSnapshot(store: blobs)
        switch stage {
        case .build:
            return .built(nil)
        case .train:
            return .model(try snapshot.capture(layout.path(submissionID, "model")).rootDigest)
        case .predict:
            let predictions = layout.path(submissionID, "predictions")
            guard FileManager.default.fileExists(atPath: predictions + "/predictions.jsonl") else {
                throw PipelineError(.invalidBundle, "the predict entrypoint wrote no predictions.jsonl")
            }
            return .predictions(try snapshot.capture(predictions).rootDigest)
        case .score:
            let file = layout.scoreDirectory(submissionID) + "/score/metrics.json"
            guard let data = FileManager.default.contents(atPath: file),
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let value = (object["value"] as? NSNumber)?.doubleValue, value.isFinite else {
                throw PipelineError(.invalidBundle, "the score entrypoint wrote no metrics.json with a finite 'value'")
            }
            var splits: SplitScores?
            if let given = object["splits"] {
                guard let parts = given as? [String: Any], Set(parts.keys) == ["public", "private"],
                      let publicScore = (parts["public"] as? NSNumber)?.doubleValue, publicScore.isFinite,
                      let privateScore = (parts["private"] as? NSNumber)?.doubleValue, privateScore.isFinite else {
                    throw PipelineError(.invalidBundle, "the score entrypoint's metrics.json has 'splits' that are not {\"public\": number, \"private\": number}")
                }
                splits = SplitScores(publicScore: publicScore, privateScore: privateScore)
            }
            return .score(value, metric: object["metric"] as? String, splits: splits)
        }
    }

    /// The entries under `prefix`, re-rooted at it.
    public static func subtree(_ manifest: TreeManifest, _ prefix: String, of what: String = "the dataset version") throws -> TreeManifest {
        let entries = manifest.entries.compactMap { entry -> TreeManifest.Entry? in
            guard entry.path.hasPrefix(prefix + "/") else { return nil }
            return TreeManifest.Entry(path: String(entry.path.dropFirst(prefix.count + 1)), kind: entry.kind)
        }
        guard !entries.isEmpty else {
            throw PipelineError(.invalidManifest, "\(what) has nothing under '\(prefix)/'")
        }
        return try TreeManifest(entries: entries)
    }

    /// Materialized trees are read-only; make them writable again to remove them.
    public static func removeTree(_ path: String) throws {
        try TreeSnapshot.removeMaterialized(path)
    }
}
