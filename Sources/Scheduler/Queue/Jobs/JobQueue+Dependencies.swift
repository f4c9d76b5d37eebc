import Foundation
import GRDB

extension JobQueue {
    /// After a job changed state: a success may let waiting dependants run; an end
    /// without success means they never can.
    func propagate(_ db: Database, from jobID: Int64, endedAs state: JobState, now: String) throws {
        if state == .succeeded {
            try db.cachedStatement(sql: """
                UPDATE job SET state = 'queued'
                WHERE state = 'waiting'
                  AND id IN (SELECT job_id FROM job_dependency WHERE depends_on = ?)
                  AND NOT EXISTS (
                      SELECT 1 FROM job_dependency d JOIN job j ON j.id = d.depends_on
                      WHERE d.job_id = job.id AND j.state != 'succeeded')
                """).execute(arguments: [jobID])
        } else if state.isFailedForGood {
            try failDependants(db, of: jobID, endedAs: state, now: now)
        }
    }

    /// Waiting dependants of a job that ended without success become upstream-failed,
    /// and theirs after them.
    func failDependants(_ db: Database, of jobID: Int64, endedAs state: JobState, now: String) throws {
        let waiting = try db.cachedStatement(sql: """
            SELECT d.job_id FROM job_dependency d JOIN job j ON j.id = d.job_id
            WHERE d.depends_on = ? AND j.state = 'waiting'
            """)
        let fail = try db.cachedStatement(sql: """
            UPDATE job SET state = 'upstream-failed', finished_at = ?, error = ? WHERE id = ?
            """)
        var frontier = [(id: jobID, state: state)]
        while let (failed, failedState) = frontier.popLast() {
            for dependant in try Int64.fetchAll(waiting, arguments: [failed]) {
                try fail.execute(arguments: [now, Self.upstreamFailure(of: failed, state: failedState), dependant])
                frontier.append((dependant, .upstreamFailed))
            }
        }
    }

    /// Upstream-failed dependants of a job that is being retried wait again, and theirs
    /// after them, unless another of their dependencies can still never succeed.
    func reviveDependants(_ db: Database, of jobID: Int64) throws {
        let failedDependants = try db.cachedStatement(sql: """
            SELECT d.job_id FROM job_dependency d JOIN job j ON j.id = d.job_id
            WHERE d.depends_on = ? AND j.state = 'upstream-failed'
            """)
        // Blocked by another dependency that can never succeed, or by a newer job that
        // took its unique key meanwhile.
        let blocked = try db.cachedStatement(sql: """
            SELECT EXISTS (
                SELECT 1 FROM job_dependency d JOIN job j ON j.id = d.depends_on
                WHERE d.job_id = ?1 AND j.state IN \(JobState.sqlList([.dead, .cancelled, .upstreamFailed])))
            OR EXISTS (
                SELECT 1 FROM job me JOIN job other ON other.unique_key = me.unique_key AND other.id != me.id
                WHERE me.id = ?1 AND other.state IN \(JobState.sqlList(JobState.holdingUniqueKey)))
            """)
        let revive = try db.cachedStatement(sql: """
            UPDATE job SET state = 'waiting', finished_at = NULL, error = NULL WHERE id = ?
            """)
        var frontier = [jobID]
        while let revived = frontier.popLast() {
            for dependant in try Int64.fetchAll(failedDependants, arguments: [revived]) {
                guard try Bool.fetchOne(blocked, arguments: [dependant]) == false else { continue }
                try revive.execute(arguments: [dependant])
                frontier.append(dependant)
            }
        }
    }
}
