import Foundation
import GRDB

extension JobQueue {
    /// Renews the leases `owner` holds on these jobs until `until`. Returns the ids whose
    /// lease it still held: a missing id means the attempt was rescued or expired and the
    /// worker must stop it.
    public func heartbeat(owner: String, jobIDs: [Int64], until: Date) throws -> Set<Int64> {
        guard !jobIDs.isEmpty else { return [] }
        return try writer.write { db in try heartbeat(db, owner: owner, jobIDs: jobIDs, until: until) }
    }

    public func heartbeat(_ db: Database, owner: String, jobIDs: [Int64], until: Date) throws -> Set<Int64> {
        guard !jobIDs.isEmpty else { return [] }
        return try Set(Int64.fetchAll(db.cachedStatement(sql: """
            UPDATE job SET lease_expires_at = ?
            WHERE state = 'running' AND lease_owner = ? AND id IN (SELECT value FROM json_each(?))
            RETURNING id
            """), arguments: [DatabaseTimestamp.text(until), owner, Self.jsonList(jobIDs)]))
    }

    /// The running jobs of `owner` that a user asked to cancel.
    public func cancelRequests(owner: String) throws -> [Int64] {
        try writer.read { db in try cancelRequests(db, owner: owner) }
    }

    public func cancelRequests(_ db: Database, owner: String) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT id FROM job WHERE state = 'running' AND lease_owner = ? AND cancel_requested
            """), arguments: [owner])
    }

    /// Records the executor's own id for the attempt under `lease`, so that a restarted
    /// daemon can re-attach to it, and the executor that runs it when that is not the one
    /// the job was claimed for. False when the lease no longer holds.
    @discardableResult
    public func recordExternalID(_ externalID: String, executor: String? = nil, for lease: Lease) throws -> Bool {
        try writer.write { db in try recordExternalID(db, externalID, executor: executor, for: lease) }
    }

    @discardableResult
    public func recordExternalID(_ db: Database, _ externalID: String, executor: String? = nil, for lease: Lease) throws -> Bool {
        try db.execute(sql: """
            UPDATE job SET external_id = ?, executor = COALESCE(?, executor)
            WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempt = ?
            """, arguments: [externalID, executor, lease.jobID, lease.owner, lease.attempt])
        return db.changesCount == 1
    }

    /// At start-up: every job left running by an earlier daemon process is rescued at once,
    /// since on one host a lease not held by this process belongs to a dead one.
    ///
    /// The interrupted attempt counts (a job that crashes its daemon must not loop forever):
    /// with attempts left the job is queued again at once (no backoff: the interruption was
    /// not its failure), otherwise it is dead. A pending cancel is honoured. A job running
    /// under an external id (a cluster job, which may still run) is adopted instead: its
    /// lease moves to `owner`, which re-attaches to it.
    @discardableResult
    public func rescueLeases(notOwnedBy owner: String, leaseDuration: TimeInterval) throws -> LeaseRescue {
        try writer.write { db in try rescueLeases(db, notOwnedBy: owner, leaseDuration: leaseDuration) }
    }

    public func rescueLeases(_ db: Database, notOwnedBy owner: String, leaseDuration: TimeInterval) throws -> LeaseRescue {
        let orphans = try Job.fetchAll(db, sql: """
            SELECT * FROM job WHERE state = 'running' AND (lease_owner IS NULL OR lease_owner != ?)
            """, arguments: [owner])
        return try rescue(db, orphans, rescuer: owner, leaseDuration: leaseDuration, why: "its daemon stopped")
    }

    /// Rescues, as `rescueLeases` does, the running jobs whose lease ran out without a
    /// heartbeat: their worker is stuck or gone.
    @discardableResult
    public func expireLeases(adoptingAs owner: String, leaseDuration: TimeInterval) throws -> LeaseRescue {
        try writer.write { db in try expireLeases(db, adoptingAs: owner, leaseDuration: leaseDuration) }
    }

    public func expireLeases(_ db: Database, adoptingAs owner: String, leaseDuration: TimeInterval) throws -> LeaseRescue {
        let expired = try Job.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM job WHERE state = 'running' AND lease_expires_at < ?
            """), arguments: [DatabaseTimestamp.text(clock.now())])
        return try rescue(db, expired, rescuer: owner, leaseDuration: leaseDuration, why: "its lease expired without a heartbeat")
    }

    private func rescue(_ db: Database, _ jobs: [Job], rescuer: String, leaseDuration: TimeInterval, why: String) throws -> LeaseRescue {
        let now = clock.now()
        let nowText = DatabaseTimestamp.text(now)
        var rescue = LeaseRescue()
        for job in jobs {
            let interrupted = "attempt \(job.attempt) of \(job.maxAttempts) was interrupted: \(why)"
            if job.cancelRequested {
                try db.execute(sql: """
                    UPDATE job SET state = 'cancelled', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        cancel_requested = 0, error = 'cancelled'
                    WHERE id = ?
                    """, arguments: [nowText, job.id])
                try failDependants(db, of: job.id, endedAs: .cancelled, now: nowText)
                rescue.cancelled.append(job.id)
            } else if job.externalID != nil {
                let adopted = try Job.fetchOne(db, sql: """
                    UPDATE job SET lease_owner = ?, lease_expires_at = ? WHERE id = ? RETURNING *
                    """, arguments: [rescuer, DatabaseTimestamp.text(now + leaseDuration), job.id])!
                rescue.adopted.append(adopted)
            } else if job.attempt < job.maxAttempts {
                try db.execute(sql: """
                    UPDATE job SET state = 'queued', not_before = ?, lease_owner = NULL, lease_expires_at = NULL,
                        error = ?
                    WHERE id = ?
                    """, arguments: [nowText, interrupted, job.id])
                rescue.requeued.append(job.id)
            } else {
                try db.execute(sql: """
                    UPDATE job SET state = 'dead', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        error = ?
                    WHERE id = ?
                    """, arguments: [nowText, interrupted + "; no attempts left", job.id])
                try failDependants(db, of: job.id, endedAs: .dead, now: nowText)
                rescue.dead.append(job.id)
            }
        }
        return rescue
    }
}
