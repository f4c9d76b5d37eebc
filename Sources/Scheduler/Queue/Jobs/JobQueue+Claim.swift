import Foundation
import GRDB

extension JobQueue {
    /// Takes leases on up to `request.limit` ready jobs, committed before this returns.
    public func claim(_ request: ClaimRequest) throws -> [Job] {
        try writer.write { db in try claim(db, request) }
    }

    /// Takes leases inside the caller's transaction: the best priority first, then by fair
    /// share (the host's jobs, then each share's next job after the jobs that share already
    /// runs, the share that started a job least recently first), then the oldest; never more running jobs in a queue than its limit, never a job before its
    /// `not_before`, never more jobs than the pool's free slots or, for an executor that runs
    /// its jobs elsewhere, than its room. Each returned job is `running`, its attempt counted,
    /// its lease held by `request.owner`.
    public func claim(_ db: Database, _ request: ClaimRequest) throws -> [Job] {
        // nil: the pool's own slots; a name: an executor whose jobs run elsewhere.
        var rooms: [String?: Int] = [nil: request.limit]
        for (name, room) in request.elsewhereLimits where room > 0 { rooms[name] = room }
        rooms = rooms.filter { $0.value > 0 }
        guard !rooms.isEmpty else { return [] }
        let now = clock.now()
        let nowText = DatabaseTimestamp.text(now)
        // Retries whose backoff has passed become ready like any queued job.
        try db.cachedStatement(sql: "UPDATE job SET state = 'queued' WHERE state = 'failed' AND not_before <= ?")
            .execute(arguments: [nowText])

        let running = request.queueLimits.isUnlimited ? [:] : try runningCountsByQueue(db)
        var queueRooms: [String: Int] = [:]
        var chosen: [(id: Int64, priority: Int, turn: Int, lastStart: String, queue: String, slot: String?)] = []
        var shares = ShareStandings()
        for queue in try queuesWithQueuedJobs(db) {
            var queueRoom = Int.max
            if let limit = request.queueLimits.limit(for: queue) {
                queueRoom = limit - running[queue, default: 0]
            }
            guard queueRoom > 0 else { continue }
            queueRooms[queue] = queueRoom
            for (slot, room) in rooms {
                let limit = min(room, queueRoom)
                let (statement, arguments, shared) = try candidates(db, queue: queue, slot: slot, request: request, now: nowText)
                let rows = try Row.fetchCursor(statement, arguments: arguments + [limit])
                guard shared else {
                    while let row = try rows.next() { chosen.append((row[0], row[1], 0, "", queue, slot)) }
                    continue
                }
                // A share's n-th ready job (of its priority) takes turn n plus the jobs the
                // share runs; equal turns go to the share whose last start is oldest.
                var ready: [(id: Int64, priority: Int, turn: Int, lastStart: String)] = []
                while let row = try rows.next() {
                    let share: String? = row[2]
                    guard let share else { ready.append((row[0], row[1], 0, "")); continue }
                    let standing = try shares.standing(of: share, db)
                    ready.append((row[0], row[1], row[3] + standing.running, standing.lastStart))
                }
                ready.sort { ($0.priority, $1.turn, $1.lastStart, $1.id) > ($1.priority, $0.turn, $0.lastStart, $0.id) }
                for job in ready.prefix(limit) { chosen.append((job.id, job.priority, job.turn, job.lastStart, queue, slot)) }
            }
        }
        guard !chosen.isEmpty else { return [] }
        // Across queues and slots, priority and then the shares' turns decide who gets what is free.
        chosen.sort { ($0.priority, $1.turn, $1.lastStart, $1.id) > ($1.priority, $0.turn, $0.lastStart, $0.id) }
        var ids: [Int64] = []
        for candidate in chosen where rooms[candidate.slot]! > 0 && queueRooms[candidate.queue]! > 0 {
            rooms[candidate.slot]! -= 1
            queueRooms[candidate.queue]! -= 1
            ids.append(candidate.id)
        }

        let claimed = try Job.fetchAll(db.cachedStatement(sql: """
            UPDATE job SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                started_at = ?, executor = COALESCE(executor, ?), log_path = COALESCE(log_path, ? || '/job-' || id || '.log'),
                cancel_requested = 0, external_id = NULL, exit_status = NULL, signal = NULL, wall_seconds = NULL,
                user_seconds = NULL, system_seconds = NULL, peak_rss_bytes = NULL, error = NULL
            WHERE id IN (SELECT value FROM json_each(?))
            RETURNING *
            """), arguments: [
                request.owner, DatabaseTimestamp.text(now + request.leaseDuration), nowText, request.executorName,
                request.logDirectory, Self.jsonList(ids),
            ])
        // In the order they were chosen, which is the order they start.
        let rank = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return claimed.sorted { rank[$0.id]! < rank[$1.id]! }
    }

    /// The ready jobs of `queue` for one kind of slot; the last argument, the limit, is the
    /// caller's. Without executors that run elsewhere every job takes a slot of the pool.
    /// When no ready job of the queue has a share, the rows are the best first (the plain
    /// walk of the claim index); otherwise each row is (id, priority, share, its place among
    /// its share's ready jobs of that priority), for the caller to order by turns. A job whose
    /// place is past the limit is left out: as many of its share come before it.
    private func candidates(_ db: Database, queue: String, slot: String?, request: ClaimRequest,
                            now: String) throws -> (Statement, StatementArguments, shared: Bool) {
        let executor = "COALESCE(executor, ?, '')"
        var filter = "state = 'queued' AND queue = ? AND not_before <= ?"
        var arguments: StatementArguments = [queue, now]
        if let slot {
            filter += " AND \(executor) = ?"
            arguments += [request.executorName, slot]
        } else if !request.elsewhereLimits.isEmpty {
            filter += " AND \(executor) NOT IN (SELECT value FROM json_each(?))"
            arguments += [request.executorName, try JSONColumn.encode(request.elsewhereLimits.keys.sorted())]
        }
        let shared = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM job WHERE state = 'queued' AND queue = ? AND share_key IS NOT NULL)
            """), arguments: [queue]) ?? false
        guard shared else {
            return (try db.cachedStatement(sql: "SELECT id, priority FROM job WHERE \(filter) ORDER BY priority DESC, id LIMIT ?"),
                    arguments, false)
        }
        return (try db.cachedStatement(sql: """
            SELECT id, priority, share_key, nth FROM (
                SELECT id, priority, share_key, ROW_NUMBER() OVER (PARTITION BY priority, share_key ORDER BY id) AS nth
                FROM job WHERE \(filter)
            ) WHERE nth <= ?
            """), arguments, true)
    }

    /// Each share's running jobs and last start, read once per claim.
    private struct ShareStandings {
        var known: [String: (running: Int, lastStart: String)] = [:]

        mutating func standing(of share: String, _ db: Database) throws -> (running: Int, lastStart: String) {
            if let standing = known[share] { return standing }
            let running = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM job INDEXED BY job_running_share WHERE state = 'running' AND share_key = ?
                """), arguments: [share]) ?? 0
            let last = try String.fetchOne(db.cachedStatement(sql: "SELECT MAX(started_at) FROM job WHERE share_key = ?"),
                                           arguments: [share]) ?? ""
            known[share] = (running, last)
            return (running, last)
        }
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
