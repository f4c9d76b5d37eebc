import Foundation
import GRDB
import Lineage
import Scheduler

/// The nightly artifact: built from the production model in the sandbox, then recorded as a
/// build with its lineage, or as a failed build; `latest` moves once the build commits.
struct ArtifactJob: JobHandler {
    let pipeline: PipelineExecutor

    var kind: JobKind { .artifact }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<ArtifactOutput> {
        try await pipeline.buildArtifact(job, context: context)
    }

    func record(_ db: Database, _ completion: JobCompletion, job: Job, output: ArtifactOutput?) throws {
        let now = Date()
        let competitionName = job.labels[AutomationTask.competitionLabel] ?? ""
        let logical = LogicalTime(job: job.labels, createdAt: job.createdAt)
        guard completion.state == .succeeded else {
            guard completion.state.isFinal else { return }
            // An attempt that never returned (the daemon stopped) left what it was built from on disk.
            let source = output?.source ?? ArtifactSource.read(ArtifactSource.path(pipeline.layout, job: job.id))
            var build = ArtifactBuild(competition: competitionName, jobID: job.id, modelID: source?.modelID ?? 0,
                                      submissionID: source?.submissionID ?? 0, datasetVersionID: source?.datasetVersionID ?? 0,
                                      state: .failed, error: AutomationTask.artifact.endingError(job, completion),
                                      logicalTime: logical.instant, at: now)
            try build.insertAnnounced(db)
            return
        }
        guard let version = try CompetitionVersion.latest(of: competitionName, db) else { return }
        let manifest = version.manifest
        guard let output, let built = output.built else {
            throw PipelineError(.invalidBundle, "the artifact job left no result")
        }
        let source = output.source
        var inputs: [LineageNode] = [.model(source.modelID), .datasetVersion(source.datasetVersionID)]
        if let submission = try Submission.fetchOne(db, key: source.submissionID),
           let bundle = try CodeBundle.filter(sql: "digest = ?", arguments: [submission.bundleDigest]).fetchOne(db) {
            inputs.append(bundle.node)
        }
        var run = try Run.start(.artifact, jobID: job.id, inputs: inputs, at: now, db)
        let artifact = try run.recordArtifact(kind: "artifact", digest: built.digest, at: now, db)
        var oci: Artifact?
        if let image = built.image {
            oci = try run.recordArtifact(kind: "oci-image", digest: image.digest, at: now, db)
        }
        try run.finish(.succeeded, at: now, db)
        let context = try LineageContext.findOrCreate(.competition, name: competitionName, at: now, db)
        try context.add([run.node, artifact.node] + (oci.map { [$0.node] } ?? []), db)
        var build = ArtifactBuild(competition: competitionName, jobID: job.id, modelID: source.modelID, submissionID: source.submissionID,
                                  datasetVersionID: source.datasetVersionID, lineageArtifactID: artifact.id, digest: built.digest.description,
                                  ociArtifactID: oci?.id, ociManifestDigest: built.image?.manifestDigest,
                                  ociReference: built.image?.reference, state: .succeeded, logicalTime: logical.instant, at: now)
        try build.insertAnnounced(db)
        // Older builds beyond the last N leave the disk and the blob store; their records and lineage stay.
        let kept = try ArtifactBuild.filter(sql: "competition = ? AND state = 'succeeded'", arguments: [competitionName])
            .order(sql: "id DESC").fetchAll(db)
        for var old in kept.dropFirst(manifest.artifactPolicy.keep) {
            old.state = .pruned
            try old.update(db)
            // Its bytes leave with its directory: gc no longer keeps the blobs (a kept build
            // with the same digest still does).
            try db.execute(sql: "UPDATE lineage_artifact SET data_pruned_at = ? WHERE id IN (?, ?) AND data_pruned_at IS NULL",
                           arguments: [now, old.lineageArtifactID, old.ociArtifactID])
        }
        let keep = Set(kept.prefix(manifest.artifactPolicy.keep).map(\.jobID))
        let store = ArtifactStore(stateDirectory: pipeline.layout.stateDirectory)
        // The link moves only once the build is committed.
        db.afterNextTransaction { _ in
            try? store.setLatest(competitionName, job: job.id)
            store.prune(competitionName, keep: keep)
        }
    }
}
