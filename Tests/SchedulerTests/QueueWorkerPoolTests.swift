import Foundation
import GRDB
import Scheduler
import Testing

/// The worker pool's loop with an executor that spawns nothing; the real one is tested in
/// ExecutionTests.
@Suite("Queue: worker pool")
struct QueueWorkerPoolTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    func pool(
        maxConcurrentJobs: Int = 4, recordOutputs: WorkerPool.OutputRecorder? = nil
    ) -> WorkerPool {
        WorkerPool(
            queue: fixture.queue, executor: QueueScriptedExecutor(),
            configuration: WorkerPoolConfiguration(
                owner: "pool-test", maxConcurrentJobs: maxConcurrentJobs, logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")),
            recordOutputs: recordOutputs)
    }

    /// Runs the pool while `body` runs, then shuts it down and waits for it to return.
    func running(_ pool: WorkerPool, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            try await body()
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    func ended(_ ids: [Int64]) throws -> Bool {
        try ids.allSatisfy { try fixture.state($0)?.isFinal == true }
    }

    @Test("Jobs enqueued while the pool sleeps run when it is woken, each once")
    func runsJobs() async throws {
        let pool = pool()
        try await running(pool) {
            let jobs = try (0..<20).map { _ in try fixture.enqueue(["ok"]) }
            pool.wake()
            #expect(try await QueueFixture.eventually { try ended(jobs.map(\.id)) })
            #expect(try fixture.queue.countsByState() == [.succeeded: 20])
            #expect(try fixture.queue.list().allSatisfy { $0.attempt == 1 && $0.executor == "scripted" })
        }
    }

    @Test("Jobs of an executor with a limit of its own run beside the pool's slots, up to that limit")
    func elsewhereLimit() async throws {
        let pool = WorkerPool(
            queue: fixture.queue, executor: QueueScriptedExecutor(),
            configuration: WorkerPoolConfiguration(
                owner: "pool-test", maxConcurrentJobs: 1, elsewhereLimits: ["cluster": 3],
                logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")))
        try await running(pool) {
            let cluster = try (0..<4).map { _ in try fixture.queue.enqueue(JobSpec(argv: ["hang"], executor: "cluster")).job }
            let local = try (0..<2).map { _ in try fixture.enqueue(["hang"]) }
            pool.wake()
            #expect(try await QueueFixture.eventually { try fixture.queue.countsByState()[.running] == 4 })
            let running = try fixture.queue.list().filter { $0.state == .running }
            #expect(running.filter { $0.executor == "cluster" }.count == 3, "three on the cluster, the fourth waits")
            #expect(running.filter { $0.executor == "scripted" }.map(\.id) == [local[0].id], "and one in the pool's one slot")
            #expect(try fixture.state(cluster[3].id) == .queued)
        }
    }

    @Test("A job past its time limit is stopped and recorded as a timeout")
    func timeout() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.queue.enqueue(JobSpec(argv: ["hang"], timeoutSeconds: 0.05, maxAttempts: 1)).job
            pool.wake()
            #expect(try await QueueFixture.eventually { try fixture.state(job.id) == .dead })
            let dead = try #require(try fixture.queue.job(job.id))
            #expect(dead.error?.hasPrefix("ran past its time limit of 0.05 s") == true, "\(dead.error ?? "")")
        }
    }

    @Test("Cancelling a running job stops it and records it cancelled")
    func cancel() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.enqueue(["hang"])
            pool.wake()
            #expect(try await QueueFixture.eventually { try fixture.state(job.id) == .running })
            try fixture.queue.cancel(job.id)
            pool.wake()
            #expect(try await QueueFixture.eventually { try fixture.state(job.id) == .cancelled })
        }
    }

    @Test("Shutting down stops running jobs and puts them back, the attempt not counted")
    func shutdownReleases() async throws {
        let pool = pool()
        let job = try fixture.enqueue(["hang"])
        try await running(pool) {
            let started = try await QueueFixture.eventually { try fixture.state(job.id) == .running }
            #expect(started)
        }
        let released = try #require(try fixture.queue.job(job.id))
        #expect(released.state == .queued && released.attempt == 0 && released.leaseOwner == nil)
    }

    @Test("No more jobs run at once than the pool has slots; limits per queue hold too")
    func concurrency() async throws {
        let pool = WorkerPool(
            queue: fixture.queue, executor: QueueScriptedExecutor(),
            configuration: WorkerPoolConfiguration(
                owner: "pool-test", maxConcurrentJobs: 3, queueLimits: QueueLimits(limits: ["gpu": 1]),
                logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")))
        // The gpu jobs come first: only its limit keeps the second one waiting.
        for _ in 0..<2 { try fixture.enqueue(["hang"], queue: "gpu") }
        for _ in 0..<5 { try fixture.enqueue(["hang"]) }
        try await running(pool) {
            #expect(try await QueueFixture.eventually { try fixture.queue.countsByState()[.running] == 3 })
            let running = try fixture.queue.list(JobFilter(states: [.running]))
            #expect(running.filter { $0.queue == "gpu" }.count == 1)
        }
    }

    @Test("Outputs commit with the completion; when recording them fails, the attempt fails")
    func outputsInTheSameTransaction() async throws {
        try await fixture.database.write { try $0.execute(sql: "CREATE TABLE output (job_id INTEGER, state TEXT)") }
        let pool = pool(recordOutputs: { db, completion in
            if completion.jobID % 2 == 0 { throw ExecutionError(.spawnFailed, "no space left for job \(completion.jobID)") }
            try db.execute(sql: "INSERT INTO output VALUES (?, ?)", arguments: [completion.jobID, completion.state])
        })
        let jobs = try (0..<4).map { _ in try fixture.enqueue(["ok"], maxAttempts: 1) }
        try await running(pool) {
            let allEnded = try await QueueFixture.eventually { try ended(jobs.map(\.id)) }
            #expect(allEnded)
        }
        let recorded = try await fixture.database.read { try Int64.fetchAll($0, sql: "SELECT job_id FROM output ORDER BY job_id") }
        let succeeded: [Int64] = jobs.map(\.id).filter { $0 % 2 == 1 }
        #expect(recorded == succeeded)
        for job in jobs where job.id % 2 == 0 {
            let failed = try #require(try fixture.queue.job(job.id))
            #expect(failed.state == .dead)
            #expect(failed.error?.hasPrefix("the job ran, but recording its outputs failed") == true)
        }
    }
}
