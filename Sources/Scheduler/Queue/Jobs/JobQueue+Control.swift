import Foundation
import GRDB

extension JobQueue {
    /// Cancels a job. One that has not started (waiting, queued, or failed with a retry
    /// pending) is cancelled at once and its dependants become upstream-failed; a running
    /// one is flagged, and its worker stops it and records it cancelled.
    @discardableResult
    public func cancel(_ jobID: Int64) throws -> Job {
        try writer.write { db in try cancel(db, jobID) }
    }

    @discardableResult
    public func cancel(_ db: Database, _ jobID: Int64) throws -> Job {
        let job = try existingJob(jobID, db)
        switch job.state {
        case .waiting, .queued, .failed:
            let now = DatabaseTimestamp.text(clock.now())
            try db.execute(sql: """
                UPDATE job SET state = 'cancelled', finished_at = ?, error = 'cancelled' WHERE id = ?
                """, arguments: [now, jobID])
            try failDependants(db, of: jobID, endedAs: .cancelled, now: now)
        case .running:
            try db.execute(sql: "UPDATE job SET cancel_requested = 1 WHERE id = ?", arguments: [jobID])
        case .succeeded, .dead, .cancelled, .upstreamFailed:
            throw JobQueueError(.alreadyFinished, "job \(jobID) already ended (\(job.state.rawValue)); there is nothing to cancel")
        }
        return try existingJob(jobID, db)
    }

    /// Runs a dead, cancelled or upstream-failed job again with its attempts reset. Its
    /// upstream-failed dependants wait for it again.
    @discardableResult
    public func retry(_ jobID: Int64) throws -> Job {
        try writer.write { db in try retry(db, jobID) }
    }

    @discardableResult
    public func retry(_ db: Database, _ jobID: Int64) throws -> Job {
        let job = try existingJob(jobID, db)
        guard job.state.isFailedForGood else {
            throw JobQueueError(.notRetryable,
                                "job \(jobID) is \(job.state.rawValue); only dead, cancelled or upstream-failed jobs can be retried")
        }
        if let key = job.uniqueKey, let holder = try jobHolding(uniqueKey: key, db) {
            throw JobQueueError(.uniqueKeyTaken,
                                "job \(holder.id) holds the unique key '\(key)' and may still run; cancel it or wait for it to end before retrying job \(jobID)")
        }
        let dependencies = try dependencies(of: jobID, db)
        let start = try initialState(db, dependencies: dependencies)
        if start.state == .upstreamFailed, let blocker = try blockingDependency(of: jobID, db) {
            throw JobQueueError(.notRetryable,
                                "job \(jobID) depends on job \(blocker.id), which is \(blocker.state.rawValue); retry job \(blocker.id) first")
        }
        try db.execute(sql: """
            UPDATE job SET state = ?, attempt = 0, not_before = ?, started_at = NULL, finished_at = NULL,
                lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0, exit_status = NULL, signal = NULL,
                wall_seconds = NULL, user_seconds = NULL, system_seconds = NULL, peak_rss_bytes = NULL,
                error = NULL, external_id = NULL
            WHERE id = ?
            """, arguments: [start.state, DatabaseTimestamp.text(clock.now()), jobID])
        try reviveDependants(db, of: jobID)
        return try existingJob(jobID, db)
    }

    func existingJob(_ jobID: Int64, _ db: Database) throws -> Job {
        guard let job = try Job.fetchOne(db, key: jobID) else {
            throw JobQueueError(.unknownJob, "there is no job \(jobID)")
        }
        return job
    }

    private func blockingDependency(of jobID: Int64, _ db: Database) throws -> Job? {
        try Job.fetchOne(db, sql: """
            SELECT j.* FROM job_dependency d JOIN job j ON j.id = d.depends_on
            WHERE d.job_id = ? AND j.state IN \(JobState.sqlList([.dead, .cancelled, .upstreamFailed]))
            ORDER BY j.id LIMIT 1
            """, arguments: [jobID])
    }
}
