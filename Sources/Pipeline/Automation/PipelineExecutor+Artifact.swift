import Execution
import Foundation
import GRDB
import Images
import Lineage
import Scheduler

extension PipelineExecutor {
    /// The nightly artifact: the host's artifact entrypoint runs in the sandbox with the
    /// production model, the participant's code and the latest data without labels; its
    /// output is stored, packaged as an OCI image when the manifest asks, and exported under
    /// `artifacts/COMPETITION/`.
    func buildArtifact(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<ArtifactOutput> {
        let competition = try await competition(of: job, context)
        let manifest = competition.manifest
        let name = competition.competition
        guard let entrypoint = manifest.entrypoints.artifact else {
            throw failure("competition '\(name)' has no artifact entrypoint (entrypoints.artifact in hekaton.yaml)", context, .refused)
        }
        let found: (Promotion, Submission, Model, DatasetVersion)
        do {
            found = try await database.read { db in
                guard let production = try Promotion.current(name, db) else {
                    throw PipelineError(.unknownSubmission, "competition '\(name)' has no production model yet: its first scored submission becomes one, or `hekatonctl promote` names one")
                }
                guard let submission = try Submission.fetchOne(db, key: production.submissionID),
                      let model = try Model.fetchOne(db, key: production.modelID) else {
                    throw PipelineError(.unknownSubmission, "the production model \(production.modelID) or its submission \(production.submissionID) is gone")
                }
                guard let dataset = try DatasetVersion.find(dataset: manifest.dataset.name, tag: nil, db) else {
                    throw PipelineError(.unknownSubmission, "dataset '\(manifest.dataset.name)' has no version")
                }
                return (production, submission, model, dataset)
            }
        } catch let refusal as PipelineError {
            // No production model, or no data to build from: the next attempt would find the same.
            throw failure(refusal.message, context, .refused)
        } catch {
            throw failure("could not read what the artifact of '\(name)' is built from: \(error)", context)
        }
        let (production, submission, model, dataset) = found
        if let oci = manifest.artifactPolicy.oci, oci.base == nil {
            // An image with no base of its own needs the environment image: without one the
            // stage would run for nothing, and another attempt would find the same.
            do {
                _ = try await BlockingWork.runWhole { [layout] in
                    let images = ImageStore(stateDirectory: layout.stateDirectory)
                    let environment = Self.requiresImages(manifest) ? try images.environment(key: submission.environmentDigest) : nil
                    return try ArtifactImage.base(oci, materialized: nil, environment: environment, store: images, competition: name)
                }
            } catch {
                throw failure((error as? PipelineError)?.message ?? "cannot read the environment image of submission #\(submission.id!): \(error)",
                              context, .refused)
            }
        }
        let submissionID = submission.id!
        let work = layout.taskDirectory(.artifact, job: job.id)
        let source = ArtifactSource(modelID: production.modelID, submissionID: submissionID, datasetVersionID: dataset.id!)
        let prepared: PreparedStage
        do {
            prepared = try await BlockingWork.runWhole { [self] in
                let prepared = try prepareArtifact(work: work, manifest: manifest, competition: competition,
                                                   submission: submission, model: model, dataset: dataset, entrypoint: entrypoint)
                // Kept on disk: an attempt the daemon never recorded (it stopped meanwhile) still
                // says, once the job has ended, what it was built from.
                try source.write(to: ArtifactSource.path(layout, job: job.id))
                return prepared
            }
        } catch {
            throw failure("could not prepare the artifact of '\(name)': \(error)", context, error is SandboxError ? .refused : .spawnFailed)
        }
        JobLog.note("building the artifact of '\(name)' from model \(production.modelID) (submission #\(submissionID)) on \(manifest.dataset.name)@\(dataset.tag)", to: context.logURL)
        JobLog.note(Self.visibilityNote(manifest.artifactPaths), to: context.logURL)
        let (run, outOfMemory) = try await execute(prepared, job, context: context, what: "the artifact stage")
        guard run.succeeded else {
            if let outOfMemory { JobLog.note(outOfMemory, to: context.logURL) }
            return HandledAttempt(run, output: ArtifactOutput(source: source))
        }
        let built: BuiltArtifact
        do {
            built = try await BlockingWork.runWhole { [self] in
                try collectArtifact(job: job, work: work, manifest: manifest, from: (submission, model, dataset),
                                    logical: LogicalTime(job: job.labels, createdAt: job.createdAt), context: context)
            }
        } catch {
            throw failure("the artifact of '\(name)' is unusable: \(error)", context)
        }
        // Exported and stored: the inputs and the output's working copy are not needed.
        _ = try? await BlockingWork.runWhole {
            for part in ["bundle", "model", "host", "oci-base", "data", "output"] { try? Self.removeTree(work + "/" + part) }
        }
        return HandledAttempt(run, output: ArtifactOutput(source: source, built: built))
    }

    private func prepareArtifact(work: String, manifest: CompetitionManifest, competition: CompetitionVersion,
                                 submission: Submission, model: Model, dataset: DatasetVersion,
                                 entrypoint: [String]) throws -> PreparedStage {
        let fm = FileManager.default
        let snapshot = TreeSnapshot(store: blobs)
        let uid = try layout.sandboxUID(submission.id!, stage: .train)
        try layout.prepareRunsDirectory()
        if fm.fileExists(atPath: work) { try Self.removeTree(work) }
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let uid { chown(work, uid, uid) }
        // The production model's own system: its environment image, or its virtual environment.
        let system = try participantSystem(of: submission, uid: uid, imageRequired: Self.requiresImages(manifest))
        let environmentPath = layout.environment(submission.environmentDigest)
        guard system.image != nil || fm.fileExists(atPath: environmentPath + "/.complete") else {
            throw PipelineError(.invalidBundle, "the environment \(submission.environmentDigest) of submission #\(submission.id!) is not built on this host")
        }
        try snapshot.materialize(try Digest(parsing: submission.bundleDigest), into: work + "/bundle")
        try snapshot.materialize(model.digest, into: work + "/model")
        // Participant code runs here too: the host's artifact scripts and what participants
        // see, never the scoring code, the ingestion source or private files. A base image
        // inside the competition is read by the daemon, outside the sandbox.
        let competitionTree = try snapshot.manifest(stored: try Digest(parsing: competition.rootDigest))
        try snapshot.materialize(try Self.visible(competitionTree, manifest.artifactPaths), into: work + "/host")
        if let base = manifest.artifactPolicy.oci?.base ?? nil, !base.hasPrefix("/") {
            try snapshot.materialize(try Self.subtree(competitionTree, base, of: "the competition directory"), into: work + "/oci-base")
        }
        let data = try snapshot.manifest(stored: dataset.rootDigest)
        for prefix in [manifest.dataset.train, manifest.dataset.features] {
            let parent = (work + "/data/" + prefix as NSString).deletingLastPathComponent
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            chmod(work + "/data", 0o755)
            try snapshot.materialize(try Self.subtree(data, prefix), into: work + "/data/" + prefix)
        }
        try fm.createDirectory(atPath: work + "/output", withIntermediateDirectories: true)
        if let uid { chown(work + "/output", uid, uid) }
        let limits = manifest.limits.limits(for: "artifact")
        let own = Self.stageEnvironment("artifact", competition: competition.competition, manifest: manifest, seed: submission.id!).merging([
            "HEKATON_SUBMISSION_DIR": "/hekaton/submission", "HEKATON_MODEL_DIR": "/hekaton/model",
            "HEKATON_DATA_DIR": "/hekaton/data", "HEKATON_OUTPUT_DIR": "/hekaton/output",
            "PYTHONPATH": "/hekaton/sdk:/hekaton/submission",
        ]) { _, new in new }
        // The stage's own variables win over the image's.
        let environment = system.environment.merging(own) { _, stage in stage }
        let mounts: [SandboxSpec.Mount] = [
            .init(source: work + "/host", target: "/hekaton/host"),
            .init(source: layout.sdkDirectory, target: "/hekaton/sdk"),
            .init(source: work + "/bundle", target: "/hekaton/submission"),
            .init(source: work + "/model", target: "/hekaton/model"),
            .init(source: work + "/data", target: "/hekaton/data"),
            .init(source: work + "/output", target: "/hekaton/output", writable: true),
        ] + system.mounts
        let spec = SandboxSpec(mounts: mounts, environment: environment, workingDirectory: "/hekaton/host", uid: uid, limits: limits,
                               image: system.image)
        return PreparedStage.sandboxed(spec, command: entrypoint)
    }

    private func collectArtifact(job: Job, work: String, manifest: CompetitionManifest,
                                 from inputs: (submission: Submission, model: Model, dataset: DatasetVersion),
                                 logical: LogicalTime, context: ExecutionContext) throws -> BuiltArtifact {
        let snapshot = TreeSnapshot(store: blobs)
        let output = try snapshot.capture(work + "/output")
        guard output.manifest.fileCount > 0 else {
            throw PipelineError(.invalidBundle, "the artifact entrypoint wrote nothing into $HEKATON_OUTPUT_DIR")
        }
        var built = BuiltArtifact(digest: output.manifest.rootDigest)
        let store = ArtifactStore(stateDirectory: layout.stateDirectory)
        let exported = store.directory(manifest.name, job: job.id)
        if FileManager.default.fileExists(atPath: exported) { try Self.removeTree(exported) }
        try FileManager.default.createDirectory(atPath: exported, withIntermediateDirectories: true)
        if let oci = manifest.artifactPolicy.oci {
            // A competition of images: the production submission's environment is an image,
            // and without a base of its own the artifact is that image plus one layer.
            let images = ImageStore(stateDirectory: layout.stateDirectory)
            let environment = Self.requiresImages(manifest) ? try images.environment(key: inputs.submission.environmentDigest) : nil
            let base = try ArtifactImage.base(oci, materialized: work + "/oci-base", environment: environment, store: images,
                                              competition: manifest.name)
            let lineage = ArtifactImage.Lineage(competition: manifest.name, datasetVersion: "\(manifest.dataset.name)@\(inputs.dataset.tag)",
                                                model: inputs.model.digest.description, codeBundle: inputs.submission.bundleDigest,
                                                artifact: output.manifest.rootDigest.description)
            let image = try ArtifactImage.build(oci, base: base, content: work + "/output", output: exported + "/oci",
                                                reference: logical.date, created: logical.instant, lineage: lineage)
            built.image = ArtifactImageExport(digest: try snapshot.capture(exported + "/oci").manifest.rootDigest,
                                              manifestDigest: image.manifestDigest, reference: logical.date)
            let on = base.environment.map { "the environment image \($0.manifestDigest)" } ?? "the base \(oci.base ?? base.layout)"
            JobLog.note("OCI image \(manifest.name):\(logical.date) \(image.manifestDigest) on \(on)", to: context.logURL)
        }
        try snapshot.materialize(output.manifest, into: exported + "/files")
        JobLog.note("artifact \(output.manifest.rootDigest) (\(output.manifest.fileCount) files, \(output.manifest.totalSize) bytes) in \(exported)", to: context.logURL)
        return built
    }
}
