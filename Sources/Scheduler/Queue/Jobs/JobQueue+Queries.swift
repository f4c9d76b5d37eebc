import Foundation
import GRDB

extension JobQueue {
    public func job(_ jobID: Int64) throws -> Job? {
        try writer.read { db in try Job.fetchOne(db, key: jobID) }
    }

    /// The jobs `jobID` waits for.
    public func dependencies(of jobID: Int64) throws -> [Int64] {
        try writer.read { db in try dependencies(of: jobID, db) }
    }

    public func dependencies(of jobID: Int64, _ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: "SELECT depends_on FROM job_dependency WHERE job_id = ? ORDER BY depends_on"),
                           arguments: [jobID])
    }

    /// The jobs that wait for `jobID`.
    public func dependants(of jobID: Int64) throws -> [Int64] {
        try writer.read { db in
            try Int64.fetchAll(db.cachedStatement(sql: "SELECT job_id FROM job_dependency WHERE depends_on = ? ORDER BY job_id"),
                               arguments: [jobID])
        }
    }

    /// Jobs matching `filter`, newest first.
    public func list(_ filter: JobFilter = JobFilter()) throws -> [Job] {
        try writer.read { db in try list(db, filter) }
    }

    public func list(_ db: Database, _ filter: JobFilter = JobFilter()) throws -> [Job] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if !filter.states.isEmpty {
            conditions.append("state IN \(JobState.sqlList(filter.states.sorted { $0.rawValue < $1.rawValue }))")
        }
        if let queue = filter.queue {
            conditions.append("queue = ?")
            arguments += [queue]
        }
        if let schedule = filter.scheduleName {
            conditions.append("schedule_name = ?")
            arguments += [schedule]
        }
        for (key, value) in filter.labels.sorted(by: { $0.key < $1.key }) {
            conditions.append("json_extract(labels, ?) = ?")
            arguments += [Self.jsonPath(key), value]
        }
        if let beforeID = filter.beforeID {
            conditions.append("id < ?")
            arguments += [beforeID]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [filter.limit]
        return try Job.fetchAll(db, sql: "SELECT * FROM job \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments)
    }

    /// How many jobs are in each state; states without jobs are absent.
    public func countsByState() throws -> [JobState: Int] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM job GROUP BY state")
            return Dictionary(uniqueKeysWithValues: rows.map { (JobState(rawValue: $0[0])!, $0[1]) })
        }
    }

    /// The earliest time a job that is not ready now becomes ready: a retry coming due, or
    /// a queued job enqueued to start later. A worker with nothing to do sleeps until then.
    public func nextDueDate() throws -> Date? {
        try writer.read { db in try nextDueDate(db) }
    }

    public func nextDueDate(_ db: Database) throws -> Date? {
        let now = DatabaseTimestamp.text(clock.now())
        // One MIN per state, each a single seek on the due index.
        let next = try db.cachedStatement(sql: "SELECT MIN(not_before) FROM job WHERE state = ? AND not_before > ?")
        return try [JobState.failed, .queued].compactMap {
            try DatabaseValue.fetchOne(next, arguments: [$0, now]).flatMap(DatabaseTimestamp.date)
        }.min()
    }

    /// When the first lease that `owner` does not hold runs out: a pool with nothing of its
    /// own running sleeps until then to rescue the job, instead of beating on a period.
    public func nextLeaseExpiry(_ db: Database, notOwnedBy owner: String) throws -> Date? {
        let next = try db.cachedStatement(sql: """
            SELECT MIN(lease_expires_at) FROM job WHERE state = 'running' AND lease_owner IS NOT ?
            """)
        return try DatabaseValue.fetchOne(next, arguments: [owner]).flatMap(DatabaseTimestamp.date)
    }

    /// Deletes jobs that ended before `date`, except those a job that may still run
    /// depends on. Returns their log paths, for the caller to delete the files.
    public func prune(finishedBefore date: Date) throws -> [String] {
        try writer.write { db in try prune(db, finishedBefore: date) }
    }

    public func prune(_ db: Database, finishedBefore date: Date) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            DELETE FROM job
            WHERE finished_at < ? AND state IN \(JobState.sqlList([.succeeded, .dead, .cancelled, .upstreamFailed]))
              AND NOT EXISTS (
                  SELECT 1 FROM job_dependency d JOIN job w ON w.id = d.job_id
                  WHERE d.depends_on = job.id AND w.state NOT IN \(JobState.sqlList([.succeeded, .dead, .cancelled, .upstreamFailed])))
            RETURNING log_path
            """, arguments: [DatabaseTimestamp.text(date)])
        return rows.compactMap { $0[0] as String? }
    }

    /// `$."key"`: a JSON path naming one member, whatever characters the key has.
    static func jsonPath(_ key: String) -> String {
        "$.\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
