import Foundation
import GRDB
import Lineage
import Scheduler

/// A dataset's ingestion: snapshots its source, and records a new version (and the rounds
/// it starts), nothing new, or the failure.
struct IngestJob: JobHandler {
    let pipeline: PipelineExecutor
    let rounds: RetrainRounds

    var kind: JobKind { .ingest }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<IngestedSnapshot> {
        try await pipeline.ingest(job, context: context)
    }

    func record(_ db: Database, _ completion: JobCompletion, job: Job, output: IngestedSnapshot?) throws {
        let now = Date()
        let competitionName = job.labels[AutomationTask.competitionLabel] ?? ""
        let logical = LogicalTime(job: job.labels, createdAt: job.createdAt)
        guard completion.state == .succeeded else {
            guard completion.state.isFinal else { return }
            var ingestion = Ingestion(dataset: job.labels["hekaton.dataset"] ?? "", competition: competitionName, jobID: job.id,
                                      outcome: .failed, error: AutomationTask.ingest.endingError(job, completion),
                                      logicalTime: logical.instant, at: now)
            try ingestion.insertAnnounced(db)
            return
        }
        guard let version = try CompetitionVersion.latest(of: competitionName, db) else { return }
        guard let output else { throw PipelineError(.invalidBundle, "the ingestion left no result") }
        let datasetName = version.manifest.dataset.name
        var ingestion = Ingestion(dataset: datasetName, competition: competitionName, jobID: job.id, outcome: .unchanged,
                                  rootDigest: output.rootDigest.description, files: output.files, bytes: output.bytes,
                                  logicalTime: logical.instant, at: now)
        if let latest = try DatasetVersion.find(dataset: datasetName, tag: nil, db), latest.rootDigest == output.rootDigest {
            ingestion.datasetVersionID = latest.id
            ingestion.tag = latest.tag
            try ingestion.insertAnnounced(db)
            return
        }
        // Tagged with the day in the schedule's zone; a second change that day gets `.2`.
        var tag = logical.date
        var suffix = 1
        while try DatasetVersion.find(dataset: datasetName, tag: tag, db) != nil {
            suffix += 1
            tag = "\(logical.date).\(suffix)"
        }
        let tree = try TreeSnapshot(store: rounds.blobs).manifest(stored: output.rootDigest)
        let registration = try DatasetVersion.register(dataset: datasetName, tag: tag, manifest: tree,
                                                       source: output.source, at: now, db)
        let created = registration.version
        var run = try Run.start(.ingest, jobID: job.id, at: now, db)
        try run.recordOutput(.datasetVersion(created.id!), db)
        try run.finish(.succeeded, at: now, db)
        ingestion.outcome = .newVersion
        ingestion.datasetVersionID = created.id
        ingestion.tag = created.tag
        try ingestion.insertAnnounced(db)
        try rounds.startForNewVersion(created, datasetName: datasetName, trigger: .ingest, now: now, db)
    }
}
