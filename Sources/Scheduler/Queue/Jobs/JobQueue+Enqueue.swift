import Foundation
import GRDB

extension JobQueue {
    /// Adds a job, committed before this returns. With a unique key held by a job that may
    /// still run, returns that job instead and adds nothing.
    public func enqueue(_ spec: JobSpec) throws -> Enqueued {
        try writer.write { db in try enqueue(db, spec) }
    }

    /// Adds all the jobs in one transaction: all of them or, when one is refused, none.
    public func enqueueBatch(_ specs: [JobSpec]) throws -> [Enqueued] {
        try writer.write { db in try specs.map { try enqueue(db, $0) } }
    }

    /// Adds a job inside the caller's transaction. Throws before changing anything when
    /// the spec is refused.
    public func enqueue(_ db: Database, _ spec: JobSpec) throws -> Enqueued {
        try Self.validate(spec)
        if let key = spec.uniqueKey, let existing = try jobHolding(uniqueKey: key, db) {
            return Enqueued(job: existing, isExisting: true)
        }
        let now = DatabaseTimestamp.stored(clock.now())
        let notBefore = DatabaseTimestamp.stored(spec.notBefore ?? now)
        let start = try initialState(db, dependencies: spec.dependencies)
        let finishedAt = start.state.isFinal ? now : nil

        try db.cachedStatement(sql: """
            INSERT INTO job (queue, priority, state, kind, argv, environment, working_directory, not_before, timeout_seconds,
                             max_attempts, unique_key, labels, schedule_name, log_path, created_at, finished_at, error, executor,
                             share_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                spec.queue, spec.priority, start.state, spec.kind, try JSONColumn.encode(spec.argv),
                try JSONColumn.encode(spec.environment), spec.workingDirectory, DatabaseTimestamp.text(notBefore),
                spec.timeoutSeconds, spec.maxAttempts, spec.uniqueKey, try JSONColumn.encode(spec.labels), spec.scheduleName,
                spec.logPath, DatabaseTimestamp.text(now), finishedAt.map(DatabaseTimestamp.text), start.error, spec.executor,
                spec.shareKey,
            ])
        // Built here rather than read back: the row is exactly this, and reading it back
        // would cost as much again as the insert.
        let job = Job(
            id: db.lastInsertedRowID, queue: spec.queue, priority: spec.priority, state: start.state, kind: spec.kind, argv: spec.argv,
            environment: spec.environment, workingDirectory: spec.workingDirectory, notBefore: notBefore,
            timeoutSeconds: spec.timeoutSeconds, maxAttempts: spec.maxAttempts, uniqueKey: spec.uniqueKey,
            labels: spec.labels, scheduleName: spec.scheduleName, logPath: spec.logPath, createdAt: now,
            finishedAt: finishedAt, error: start.error, executor: spec.executor, shareKey: spec.shareKey)
        if !spec.dependencies.isEmpty {
            let insertEdge = try db.cachedStatement(sql: "INSERT OR IGNORE INTO job_dependency (job_id, depends_on) VALUES (?, ?)")
            for dependency in spec.dependencies {
                try insertEdge.execute(arguments: [job.id, dependency])
            }
        }
        return Enqueued(job: job, isExisting: false)
    }

    static func validate(_ spec: JobSpec) throws(JobQueueError) {
        try spec.check()
    }

    func jobHolding(uniqueKey key: String, _ db: Database) throws -> Job? {
        try Job.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM job WHERE unique_key = ? AND state IN \(JobState.sqlList(JobState.holdingUniqueKey))
            """), arguments: [key])
    }

    /// Where a new (or retried) job with these dependencies starts: queued when they all
    /// succeeded, upstream-failed when one can never succeed, waiting otherwise.
    func initialState(_ db: Database, dependencies: [Int64]) throws -> (state: JobState, error: String?) {
        guard !dependencies.isEmpty else { return (.queued, nil) }
        let states = try dependencyStates(db, ids: dependencies)
        for dependency in dependencies where states[dependency] == nil {
            // With AUTOINCREMENT the next id is known: naming it catches a job that was
            // told to wait for itself.
            let nextID = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'job'").map { $0 + 1 } ?? 1
            if dependency == nextID {
                throw JobQueueError(.selfDependency, "job \(dependency) cannot depend on itself")
            }
            throw JobQueueError(.unknownDependency, "the job depends on job \(dependency), which does not exist")
        }
        if let failed = dependencies.first(where: { states[$0]!.isFailedForGood }) {
            return (.upstreamFailed, Self.upstreamFailure(of: failed, state: states[failed]!))
        }
        return dependencies.allSatisfy({ states[$0] == .succeeded }) ? (.queued, nil) : (.waiting, nil)
    }

    func dependencyStates(_ db: Database, ids: [Int64]) throws -> [Int64: JobState] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, state FROM job WHERE id IN (SELECT value FROM json_each(?))"),
                                    arguments: [Self.jsonList(ids)])
        return Dictionary(rows.map { ($0["id"], $0["state"]) }, uniquingKeysWith: { first, _ in first })
    }

    static func upstreamFailure(of dependency: Int64, state: JobState) -> String {
        "job \(dependency), which it depends on, ended \(state.rawValue)"
    }

    /// `[1,2,3]`, bound to one parameter and read back with `json_each`, so statements
    /// over a list of ids stay one cached statement.
    static func jsonList(_ ids: some Sequence<Int64>) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
