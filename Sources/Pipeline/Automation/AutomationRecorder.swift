import Foundation
import GRDB
import Lineage
import Scheduler

/// Records what an automation task's job did, in the transaction that finishes the job:
/// the ingested version and the rounds it starts, a periodic round, an artifact build.
struct AutomationRecorder: Sendable {
    let layout: PipelineLayout
    let rounds: RetrainRounds

    func record(_ task: AutomationTask, _ db: Database, _ completion: JobCompletion, job: Job) throws {
        let now = Date()
        let competitionName = job.labels[AutomationTask.competitionLabel] ?? ""
        let logical = LogicalTime(job: job.labels, createdAt: job.createdAt)
        let result = TaskResult.read(TaskResult.path(layout, task, job: job.id))
        guard completion.state == .succeeded else {
            guard completion.state.isFinal else { return }
            let error = job.error ?? result?.error ?? "the \(task.rawValue) job ended \(completion.state.rawValue); see `hekatonctl job logs \(job.id)`"
            switch task {
            case .ingest:
                var ingestion = Ingestion(dataset: job.labels["hekaton.dataset"] ?? "", competition: competitionName, jobID: job.id,
                                          outcome: .failed, error: error, logicalTime: logical.instant, at: now)
                try ingestion.insert(db)
            case .artifact:
                var build = ArtifactBuild(competition: competitionName, jobID: job.id, modelID: result?.modelID ?? 0,
                                          submissionID: result?.submissionID ?? 0, datasetVersionID: result?.datasetVersionID ?? 0,
                                          state: .failed, error: error, logicalTime: logical.instant, at: now)
                try build.insert(db)
            case .retrain:
                break
            }
            return
        }
        guard let version = try CompetitionVersion.latest(of: competitionName, db) else { return }
        let manifest = version.manifest
        switch task {
        case .retrain:
            guard let dataset = try DatasetVersion.find(dataset: manifest.dataset.name, tag: nil, db) else { return }
            try rounds.start(version, datasetVersionID: dataset.id!, trigger: .schedule, uniqueKey: "job:\(job.id)", now: now, db)
        case .ingest:
            guard let result, let digestText = result.rootDigest else {
                throw PipelineError(.invalidBundle, "the ingestion left no result")
            }
            let datasetName = manifest.dataset.name
            let digest = try Digest(parsing: digestText)
            var ingestion = Ingestion(dataset: datasetName, competition: competitionName, jobID: job.id, outcome: .unchanged,
                                      rootDigest: digestText, files: result.files, bytes: result.bytes,
                                      logicalTime: logical.instant, at: now)
            if let latest = try DatasetVersion.find(dataset: datasetName, tag: nil, db), latest.rootDigest == digest {
                ingestion.datasetVersionID = latest.id
                ingestion.tag = latest.tag
                try ingestion.insert(db)
                return
            }
            // Tagged with the day in the schedule's zone; a second change that day gets `.2`.
            var tag = logical.date
            var suffix = 1
            while try DatasetVersion.find(dataset: datasetName, tag: tag, db) != nil {
                suffix += 1
                tag = "\(logical.date).\(suffix)"
            }
            let tree = try TreeSnapshot(store: rounds.blobs).manifest(stored: digest)
            let registration = try DatasetVersion.register(dataset: datasetName, tag: tag, manifest: tree,
                                                           source: result.source ?? "ingestion", at: now, db)
            let created = registration.version
            var run = try Run.start(.ingest, jobID: job.id, at: now, db)
            try run.recordOutput(.datasetVersion(created.id!), db)
            try run.finish(.succeeded, at: now, db)
            ingestion.outcome = .newVersion
            ingestion.datasetVersionID = created.id
            ingestion.tag = created.tag
            try ingestion.insert(db)
            try rounds.startForNewVersion(created, datasetName: datasetName, trigger: .ingest, now: now, db)
        case .artifact:
            guard let result, let digestText = result.artifactDigest, let modelID = result.modelID,
                  let submissionID = result.submissionID, let datasetVersionID = result.datasetVersionID else {
                throw PipelineError(.invalidBundle, "the artifact job left no result")
            }
            var inputs: [LineageNode] = [.model(modelID), .datasetVersion(datasetVersionID)]
            if let submission = try Submission.fetchOne(db, key: submissionID),
               let bundle = try CodeBundle.filter(sql: "digest = ?", arguments: [submission.bundleDigest]).fetchOne(db) {
                inputs.append(bundle.node)
            }
            var run = try Run.start(.artifact, jobID: job.id, inputs: inputs, at: now, db)
            let artifact = try run.recordArtifact(kind: "artifact", digest: try Digest(parsing: digestText), at: now, db)
            var oci: Artifact?
            if let ociDigest = result.ociDigest {
                oci = try run.recordArtifact(kind: "oci-image", digest: try Digest(parsing: ociDigest), at: now, db)
            }
            try run.finish(.succeeded, at: now, db)
            let context = try LineageContext.findOrCreate(.competition, name: competitionName, at: now, db)
            try context.add([run.node, artifact.node] + (oci.map { [$0.node] } ?? []), db)
            var build = ArtifactBuild(competition: competitionName, jobID: job.id, modelID: modelID, submissionID: submissionID,
                                      datasetVersionID: datasetVersionID, lineageArtifactID: artifact.id, digest: digestText,
                                      ociArtifactID: oci?.id, ociManifestDigest: result.ociManifestDigest,
                                      ociReference: result.ociReference, state: .succeeded, logicalTime: logical.instant, at: now)
            try build.insert(db)
            // Older builds beyond the last N leave the disk; their records and lineage stay.
            let kept = try ArtifactBuild.filter(sql: "competition = ? AND state = 'succeeded'", arguments: [competitionName])
                .order(sql: "id DESC").fetchAll(db)
            for var old in kept.dropFirst(manifest.artifactPolicy.keep) {
                old.state = .pruned
                try old.update(db)
            }
            let keep = Set(kept.prefix(manifest.artifactPolicy.keep).map(\.jobID))
            let store = ArtifactStore(stateDirectory: layout.stateDirectory)
            // The link moves only once the build is committed.
            db.afterNextTransaction { _ in
                try? store.setLatest(competitionName, job: job.id)
                store.prune(competitionName, keep: keep)
            }
        }
    }
}
