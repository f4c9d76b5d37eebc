import Foundation
import GRDB
import Scheduler

/// Which run directories under `runs/` may go: those whose submission or job ended more than
/// the competition's `retention.runs` ago. Nothing reads a run directory once its owner has
/// ended for good: logs are kept under `logs/`, every stage (a retried one too) starts again
/// from the stored bundle, model and predictions, a rescore or reproduction is a submission
/// with a directory of its own, and an artifact's exported files live under `artifacts/`.
/// So a directory is kept while any job that may still run uses it.
public enum RunRetention {
    /// One entry of `runs/`, with its modification time (the ending time of last resort).
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var modified: Date

        public init(name: String, modified: Date) {
            self.name = name
            self.modified = modified
        }
    }

    /// Whose directory a name is: a submission's (its stages, or its scoring), or an
    /// automation job's (`ingest-12`, `artifact-40`). Other names are not ours to remove.
    enum Owner: Equatable {
        case submission(Int64)
        case job(Int64)

        init?(_ name: String) {
            for prefix in ["submission-", "score-"] where name.hasPrefix(prefix) {
                guard let id = Int64(name.dropFirst(prefix.count)), id > 0 else { return nil }
                self = .submission(id)
                return
            }
            for task in AutomationTask.allCases where name.hasPrefix(task.rawValue + "-") {
                guard let id = Int64(name.dropFirst(task.rawValue.count + 1)), id > 0 else { return nil }
                self = .job(id)
                return
            }
            return nil
        }
    }

    /// The entries to remove at `now`: owned by a submission or job that has ended for good
    /// longer ago than its competition's `retention.runs` (else `defaults`). Fails closed: an
    /// entry whose owner is unknown, or still may run, stays.
    public static func expired(_ entries: [Entry], now: Date, defaults: RetentionPolicy, _ db: Database) throws -> [String] {
        var policies: [String: RetentionPolicy] = [:]
        func policy(_ competition: String?) throws -> RetentionPolicy {
            guard let competition else { return defaults }
            if let known = policies[competition] { return known }
            let policy = defaults.applying(try CompetitionVersion.latest(of: competition, db)?.manifest.retention)
            policies[competition] = policy
            return policy
        }
        var expired: [String] = []
        for entry in entries {
            guard let owner = Owner(entry.name) else { continue }
            let ending: (ended: Date, competition: String?)?
            switch owner {
            case .submission(let id): ending = try submissionEnding(id, entry, db)
            case .job(let id): ending = try jobEnding(id, entry, db)
            }
            guard let ending else { continue }
            if ending.ended < now.addingTimeInterval(-(try policy(ending.competition).runsSeconds)) {
                expired.append(entry.name)
            }
        }
        return expired.sorted()
    }

    /// When the submission ended for good, or nil while it or any of its jobs may still run
    /// (a shared environment build may be serving another submission from this directory).
    static func submissionEnding(_ id: Int64, _ entry: Entry, _ db: Database) throws -> (Date, String?)? {
        guard let submission = try Submission.fetchOne(db, key: id), submission.state.isFinal else { return nil }
        var ended = submission.finishedAt
        for jobID in [submission.buildJob, submission.trainJob, submission.predictJob, submission.scoreJob].compactMap({ $0 }) {
            // A job pruned by job_retention had ended.
            guard let job = try Job.fetchOne(db, key: jobID) else { continue }
            guard job.state.isFinal else { return nil }
            if let finished = job.finishedAt { ended = max(ended ?? finished, finished) }
        }
        return (ended ?? entry.modified, submission.competition)
    }

    /// When the automation job ended for good, or nil while it may still run. A job already
    /// pruned (job_retention) had ended; its directory's last change stands for when.
    static func jobEnding(_ id: Int64, _ entry: Entry, _ db: Database) throws -> (Date, String?)? {
        guard let job = try Job.fetchOne(db, key: id) else { return (entry.modified, nil) }
        guard job.state.isFinal else { return nil }
        return (job.finishedAt ?? entry.modified, job.labels[AutomationTask.competitionLabel])
    }

    /// The entries of `runs/` with their modification times; none when it does not exist yet.
    public static func entries(of directory: String) -> [Entry] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return [] }
        return names.compactMap { name in
            guard Owner(name) != nil, let attributes = try? fm.attributesOfItem(atPath: directory + "/" + name),
                  let modified = attributes[.modificationDate] as? Date else { return nil }
            return Entry(name: name, modified: modified)
        }
    }
}
