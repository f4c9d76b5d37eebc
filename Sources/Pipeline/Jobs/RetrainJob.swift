import Execution
import Foundation
import GRDB
import Lineage
import Scheduler

/// The periodic retraining: it needs no process; its record starts a round on the latest
/// dataset version, in the transaction that finishes the job.
struct RetrainJob: JobHandler {
    let rounds: RetrainRounds

    var kind: JobKind { .retrain }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<Never> {
        let started = Date()
        JobLog.note("retraining is decided when this job is recorded", to: context.logURL)
        return HandledAttempt(ExecutionResult(termination: .exited(0), wallSeconds: Date().timeIntervalSince(started)))
    }

    func record(_ db: Database, _ completion: JobCompletion, job: Job, output: Never?) throws {
        guard completion.state == .succeeded else { return }
        let competitionName = job.labels[AutomationTask.competitionLabel] ?? ""
        guard let version = try CompetitionVersion.latest(of: competitionName, db),
              let dataset = try DatasetVersion.find(dataset: version.manifest.dataset.name, tag: nil, db) else { return }
        try rounds.start(version, datasetVersionID: dataset.id!, trigger: .schedule, uniqueKey: "job:\(job.id)", now: Date(), db)
    }
}
