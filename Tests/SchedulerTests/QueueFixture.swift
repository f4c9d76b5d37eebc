import Foundation
import GRDB
import Scheduler
import Testing

/// An in-memory queue on a clock the test moves, with jitter fixed at its midpoint so that
/// backoff delays are exact.
struct QueueFixture {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let owner = "worker-a"

    let clock = ManualClock(QueueFixture.start)
    let database: DatabaseQueue
    let queue: JobQueue

    init(backoff: RetryBackoff = RetryBackoff(base: 10, cap: 300, jitter: 0.2)) throws {
        database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        queue = JobQueue(writer: database, clock: clock, backoff: backoff, random: { 0.5 })
    }

    @discardableResult
    func enqueue(
        _ argv: [String] = ["/bin/true"], queue name: String = JobSpec.defaultQueue, priority: Int = 0, maxAttempts: Int = 3,
        uniqueKey: String? = nil, after dependencies: [Int64] = [], notBefore: Date? = nil
    ) throws -> Job {
        try queue.enqueue(JobSpec(
            argv: argv, queue: name, priority: priority, notBefore: notBefore, maxAttempts: maxAttempts, uniqueKey: uniqueKey,
            dependencies: dependencies)).job
    }

    func claim(limit: Int = 100, owner: String = QueueFixture.owner, limits: QueueLimits = QueueLimits()) throws -> [Job] {
        try queue.claim(ClaimRequest(owner: owner, leaseDuration: 60, limit: limit, queueLimits: limits, executorName: "test",
                                     logDirectory: "/var/log/test"))
    }

    /// Claims exactly this job (it must be the only ready one) and returns its lease.
    func claimOnly(_ jobID: Int64, owner: String = QueueFixture.owner) throws -> Lease {
        let claimed = try claim(owner: owner)
        try #require(claimed.map(\.id) == [jobID], "expected to claim job \(jobID), claimed \(claimed.map(\.id))")
        return try #require(claimed[0].lease)
    }

    @discardableResult
    func exit(_ lease: Lease, status: Int32) throws -> JobState? {
        try queue.complete(lease, outcome: .ran(ExecutionResult(termination: .exited(status))))
    }

    func state(_ jobID: Int64) throws -> JobState? {
        try queue.job(jobID)?.state
    }

    func jobCount() throws -> Int {
        try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job")! }
    }
}
