import Foundation
import GRDB

extension JobQueue {
    /// Records how an attempt ended, committed before this returns. Returns the state the
    /// job moved to, or nil when `lease` no longer holds (the job was rescued, expired or
    /// cancelled meanwhile) and nothing was recorded.
    @discardableResult
    public func complete(_ lease: Lease, outcome: JobOutcome) throws -> JobState? {
        try writer.write { db in try finish(db, lease: lease, outcome: outcome) }
    }

    /// Records how an attempt ended inside the caller's transaction, so its outputs (lineage
    /// records) commit with it.
    ///
    /// - Exited 0 on its own: succeeded; dependants whose dependencies all succeeded are
    ///   queued.
    /// - Cancelled, or failed while a cancel was pending: cancelled.
    /// - Stopped for shutdown: back to queued, the attempt not counted (the daemon chose to
    ///   stop it, the job did nothing wrong).
    /// - Otherwise (non-zero exit, signal, timeout, could not run): failed with a retry at
    ///   now + backoff, or dead when that was the last attempt or retrying cannot help.
    /// - Dead or cancelled: dependants become upstream-failed, transitively.
    @discardableResult
    public func finish(_ db: Database, lease: Lease, outcome: JobOutcome) throws -> JobState? {
        let now = clock.now()
        let nowText = DatabaseTimestamp.text(now)
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT max_attempts, cancel_requested, timeout_seconds,
                   EXISTS (SELECT 1 FROM job_dependency WHERE depends_on = job.id)
            FROM job
            WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempt = ?
            """), arguments: [lease.jobID, lease.owner, lease.attempt])
        else { return nil }
        let maxAttempts: Int = row[0]
        let cancelRequested: Bool = row[1]
        let timeout: Double? = row[2]
        let hasDependants: Bool = row[3]

        var result: ExecutionResult?
        var state: JobState
        var error: String?
        var attempt = lease.attempt
        var notBefore: Date?
        switch outcome {
        case .ran(let ran):
            result = ran
            if ran.succeeded {
                state = .succeeded
            } else if ran.stoppedBy == .shutdown {
                state = .queued
                attempt -= 1
                notBefore = now
                error = "stopped because the daemon shut down; it will run again"
            } else if ran.cancelled || cancelRequested {
                state = .cancelled
                error = "cancelled"
            } else {
                state = .failed
                error = Self.describeFailure(ran, timeout: timeout)
            }
        case .couldNotRun(let failure):
            state = cancelRequested ? .cancelled : failure.isPermanent ? .dead : .failed
            error = failure.message
        }
        if state == .failed {
            if attempt < maxAttempts {
                notBefore = now.addingTimeInterval(backoff.delay(afterAttempt: attempt, random: random()))
            } else {
                state = .dead
            }
        }
        if state == .dead, let reason = error {
            error = "\(reason) (attempt \(attempt) of \(maxAttempts); no attempts left)"
        }

        try db.cachedStatement(sql: """
            UPDATE job SET state = ?, attempt = ?, not_before = COALESCE(?, not_before), finished_at = ?,
                lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0, exit_status = ?, signal = ?,
                wall_seconds = ?, user_seconds = ?, system_seconds = ?, peak_rss_bytes = ?, error = ?
            WHERE id = ?
            """).execute(arguments: [
                state, attempt, notBefore.map(DatabaseTimestamp.text), state.isFinal ? nowText : nil, result?.exitStatus, result?.signal,
                result?.wallSeconds, result?.userSeconds, result?.systemSeconds, result?.peakMemoryBytes, error,
                lease.jobID,
            ])
        if hasDependants {
            try propagate(db, from: lease.jobID, endedAs: state, now: nowText)
        }
        return state
    }

    static func describeFailure(_ result: ExecutionResult, timeout: Double?) -> String {
        let how: String = switch result.termination {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "was killed by signal \(signal)\(SignalName.of(signal).map { " (\($0))" } ?? "")"
        }
        switch result.stoppedBy {
        case .timeout:
            let limit = timeout.map { " of \(String(format: "%g", $0)) s" } ?? ""
            return "ran past its time limit\(limit) and \(how)"
        case .leaseLost:
            return "its worker lost the lease and \(how)"
        default:
            return how
        }
    }
}
