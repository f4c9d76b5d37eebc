import Foundation
import GRDB

extension JobQueue {
    /// Takes leases on up to `request.limit` ready jobs, committed before this returns.
    public func claim(_ request: ClaimRequest) throws -> [Job] {
        try writer.write { db in try claim(db, request) }
    }

    /// Takes leases inside the caller's transaction: the best priority first, then the
    /// oldest, never more running jobs in a queue than its limit, never a job before its
    /// `not_before`. Each returned job is `running`, its attempt counted, its lease held
    /// by `request.owner`.
    public func claim(_ db: Database, _ request: ClaimRequest) throws -> [Job] {
        guard request.limit > 0 else { return [] }
        let now = clock.now()
        let nowText = DatabaseTimestamp.text(now)
        // Retries whose backoff has passed become ready like any queued job.
        try db.cachedStatement(sql: "UPDATE job SET state = 'queued' WHERE state = 'failed' AND not_before <= ?")
            .execute(arguments: [nowText])

        let running = request.queueLimits.isUnlimited ? [:] : try runningCountsByQueue(db)
        let candidates = try db.cachedStatement(sql: """
            SELECT id, priority FROM job
            WHERE state = 'queued' AND queue = ? AND not_before <= ?
            ORDER BY priority DESC, id
            LIMIT ?
            """)
        var chosen: [(id: Int64, priority: Int)] = []
        for queue in try queuesWithQueuedJobs(db) {
            var room = request.limit
            if let limit = request.queueLimits.limit(for: queue) {
                room = min(room, limit - running[queue, default: 0])
            }
            guard room > 0 else { continue }
            let rows = try Row.fetchCursor(candidates, arguments: [queue, nowText, room])
            while let row = try rows.next() {
                chosen.append((row[0], row[1]))
            }
        }
        guard !chosen.isEmpty else { return [] }
        // Across queues, priority still decides who gets the pool's free slots.
        chosen.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
        let ids = chosen.prefix(request.limit).map(\.id)

        let claimed = try Job.fetchAll(db.cachedStatement(sql: """
            UPDATE job SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                started_at = ?, executor = ?, log_path = COALESCE(log_path, ? || '/job-' || id || '.log'),
                cancel_requested = 0, external_id = NULL, exit_status = NULL, signal = NULL, wall_seconds = NULL,
                user_seconds = NULL, system_seconds = NULL, peak_rss_bytes = NULL, error = NULL
            WHERE id IN (SELECT value FROM json_each(?))
            RETURNING *
            """), arguments: [
                request.owner, DatabaseTimestamp.text(now + request.leaseDuration), nowText, request.executorName,
                request.logDirectory, Self.jsonList(ids),
            ])
        return claimed.sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
    }

    func runningCountsByQueue(_ db: Database) throws -> [String: Int] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT queue, COUNT(*) FROM job WHERE state = 'running' GROUP BY queue"))
        var counts: [String: Int] = [:]
        while let row = try rows.next() {
            counts[row[0]] = row[1]
        }
        return counts
    }

    /// The distinct queues with queued jobs, by a skip-scan over the claim index: one
    /// index seek per queue, however many jobs wait in each.
    func queuesWithQueuedJobs(_ db: Database) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: """
            WITH RECURSIVE queues(name) AS (
                SELECT MIN(queue) FROM job WHERE state = 'queued'
                UNION ALL
                SELECT (SELECT MIN(queue) FROM job WHERE state = 'queued' AND queue > queues.name)
                FROM queues WHERE queues.name IS NOT NULL
            )
            SELECT name FROM queues WHERE name IS NOT NULL
            """))
    }
}
