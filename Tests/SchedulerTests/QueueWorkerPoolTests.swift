import Foundation
import GRDB
import Scheduler
import Testing

/// The worker pool's loop with an executor that spawns nothing; the real one is tested in
/// ExecutionTests. The pool runs on the fixture's manual clock: backoff, heartbeats and time
/// limits happen when the test moves the time, and the test waits for what the pool
/// reports (a job started, attempts recorded), never for time to pass.
@Suite("Queue: worker pool")
struct QueueWorkerPoolTests {
    let fixture: QueueFixture
    let executor = QueueScriptedExecutor()
    let probe = PoolProbe()
    init() throws { fixture = try QueueFixture() }

    func pool(
        maxConcurrentJobs: Int = 4, elsewhereLimits: [String: Int] = [:], queueLimits: QueueLimits = QueueLimits(),
        recordOutputs: WorkerPool.OutputRecorder? = nil
    ) -> WorkerPool {
        WorkerPool(
            queue: fixture.queue, executor: executor,
            configuration: WorkerPoolConfiguration(
                owner: "pool-test", maxConcurrentJobs: maxConcurrentJobs, elsewhereLimits: elsewhereLimits, queueLimits: queueLimits,
                logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")),
            recordOutputs: recordOutputs, didFinish: probe.didFinish)
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

    @Test("Jobs enqueued while the pool sleeps run when it is woken, each once")
    func runsJobs() async throws {
        let pool = pool()
        try await running(pool) {
            let jobs = try (0..<20).map { _ in try fixture.enqueue(["ok"]) }
            pool.wake()
            let recorded = try await PoolProbe.next(20, of: probe.completions)
            #expect(Set(recorded.map(\.jobID)) == Set(jobs.map(\.id)))
            #expect(try fixture.queue.countsByState() == [.succeeded: 20])
            #expect(try fixture.queue.list().allSatisfy { $0.attempt == 1 && $0.executor == "scripted" })
        }
    }

    @Test("Jobs of an executor with a limit of its own run beside the pool's slots, up to that limit")
    func elsewhereLimit() async throws {
        let pool = pool(maxConcurrentJobs: 1, elsewhereLimits: ["cluster": 3])
        try await running(pool) {
            let cluster = try (0..<4).map { _ in try fixture.queue.enqueue(JobSpec(argv: ["hang"], executor: "cluster")).job }
            let local = try (0..<2).map { _ in try fixture.enqueue(["hang"]) }
            pool.wake()
            _ = try await PoolProbe.next(4, of: executor.started)
            let running = try fixture.queue.list().filter { $0.state == .running }
            #expect(running.filter { $0.executor == "cluster" }.count == 3, "three on the cluster, the fourth waits")
            #expect(running.filter { $0.executor == "scripted" }.map(\.id) == [local[0].id], "and one in the pool's one slot")
            #expect(try fixture.state(cluster[3].id) == .queued)
        }
    }

    @Test("A job past its time limit on the pool's clock is stopped and recorded as a timeout")
    func timeout() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.queue.enqueue(JobSpec(argv: ["hang"], timeoutSeconds: 30, maxAttempts: 1)).job
            pool.wake()
            _ = try await PoolProbe.next(1, of: executor.started)
            fixture.clock.advance(by: 30)
            let recorded = try await PoolProbe.next(1, of: probe.completions)
            #expect(recorded.map(\.state) == [.dead])
            let dead = try #require(try fixture.queue.job(job.id))
            #expect(dead.error?.hasPrefix("ran past its time limit of 30 s") == true, "\(dead.error ?? "")")
        }
    }

    @Test("A failed attempt is retried when its backoff has passed on the pool's clock, not before")
    func retryAfterBackoff() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.enqueue(["fail"], maxAttempts: 2)
            pool.wake()
            let first = try await PoolProbe.next(1, of: probe.completions)
            #expect(first.map(\.state) == [.failed], "failed, with a retry pending")
            // Jitter is fixed at its midpoint: the first backoff is the base, 10 s.
            let waiting = try #require(try fixture.queue.job(job.id))
            #expect(waiting.notBefore == QueueFixture.start + 10 && waiting.attempt == 1)
            fixture.clock.advance(by: 10)
            let second = try await PoolProbe.next(1, of: probe.completions)
            #expect(second.map(\.state) == [.dead])
            #expect(try fixture.queue.job(job.id)?.attempt == 2)
        }
    }

    @Test("When another worker's lease runs out the pool adopts its cluster job, and runs it")
    func heartbeatRescuesExpiredLease() async throws {
        // The pool never claims from "held" (its limit is 0), so only the other worker takes the job there.
        let pool = pool(queueLimits: QueueLimits(limits: ["held": 0]))
        try await running(pool) {
            // One round first, so the pool's first heartbeat is timed from the start.
            let warmUp = try fixture.enqueue(["ok"])
            pool.wake()
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.jobID) == [warmUp.id])
            // Another worker hands a job to a cluster under a lease of 60 s, then is never
            // heard of again: the job may still run there, so it is adopted, not retried.
            let orphan = try fixture.enqueue(["ok"], queue: "held")
            let lease = try fixture.claimOnly(orphan.id, owner: "vanished")
            #expect(try fixture.queue.recordExternalID("cluster-7", for: lease))
            // Told of the change as an enqueue or a cancel tells it, the idle pool sleeps until
            // that lease runs out; one daemon per state directory means no other worker exists
            // unseen, and the leases of a previous one are rescued at start-up.
            pool.wake()
            try await Self.until("the idle pool sleeps until the lease runs out") { fixture.clock.sleeperDeadlines.count == 1 }
            fixture.clock.advance(by: 61)
            let recorded = try await PoolProbe.next(1, of: probe.completions)
            #expect(recorded.map(\.jobID) == [orphan.id] && recorded.map(\.state) == [.succeeded])
            let adopted = try #require(try fixture.queue.job(orphan.id))
            #expect(adopted.attempt == 1 && adopted.externalID == "cluster-7", "the same attempt, re-attached")
        }
    }

    @Test("Cancelling a running job stops it and records it cancelled")
    func cancel() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.enqueue(["hang"])
            pool.wake()
            _ = try await PoolProbe.next(1, of: executor.started)
            #expect(try fixture.state(job.id) == .running)
            try fixture.queue.cancel(job.id)
            pool.wake()
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.state) == [.cancelled])
            #expect(try fixture.state(job.id) == .cancelled)
        }
    }

    @Test("Shutting down stops running jobs and puts them back, the attempt not counted")
    func shutdownReleases() async throws {
        let pool = pool()
        let job = try fixture.enqueue(["hang"])
        try await running(pool) {
            let started = try await PoolProbe.next(1, of: executor.started)
            #expect(started.map(\.id) == [job.id])
        }
        let released = try #require(try fixture.queue.job(job.id))
        #expect(released.state == .queued && released.attempt == 0 && released.leaseOwner == nil)
    }

    @Test("No more jobs run at once than the pool has slots; limits per queue hold too")
    func concurrency() async throws {
        let pool = pool(maxConcurrentJobs: 3, queueLimits: QueueLimits(limits: ["gpu": 1]))
        // The gpu jobs come first: only its limit keeps the second one waiting.
        for _ in 0..<2 { try fixture.enqueue(["hang"], queue: "gpu") }
        for _ in 0..<5 { try fixture.enqueue(["hang"]) }
        try await running(pool) {
            let started = try await PoolProbe.next(3, of: executor.started)
            #expect(started.filter { $0.queue == "gpu" }.count == 1)
            let running = try fixture.queue.list(JobFilter(states: [.running]))
            #expect(running.count == 3)
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
            let recorded = try await PoolProbe.next(4, of: probe.completions)
            #expect(Set(recorded.map(\.jobID)) == Set(jobs.map(\.id)))
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

    @Test("The pool beats only while a job runs; idle, it sleeps until the next job comes due, with no timer before")
    func heartbeatOnlyWhileRunning() async throws {
        let pool = pool()
        try await running(pool) {
            let job = try fixture.enqueue(["hang"])
            pool.wake()
            _ = try await PoolProbe.next(1, of: executor.started)
            let started = fixture.clock.now()
            try await Self.until("the pool sleeps until its heartbeat while the job runs") {
                fixture.clock.sleeperDeadlines == [started + 20]
            }
            try fixture.queue.cancel(job.id)
            pool.wake()
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.state) == [.cancelled])
            let due = started + 3600
            try fixture.enqueue(["ok"], notBefore: due)
            pool.wake()
            try await Self.until("the idle pool sleeps until the job comes due, not until a heartbeat") {
                fixture.clock.sleeperDeadlines == [due]
            }
            fixture.clock.set(due)
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.state) == [.succeeded])
        }
    }

    /// With the pool's own lease of 60 s its heartbeat (20 s) is due before the other lease
    /// (60 s) runs out; with 600 s it is not (200 s), and the lease's end alone wakes it.
    @Test("An idle pool wakes when another owner's lease runs out, and rescues that job", arguments: [60, 600])
    func rescuesForeignLeaseWhileIdle(ownLease: Int) async throws {
        let pool = WorkerPool(
            queue: fixture.queue, executor: executor,
            configuration: WorkerPoolConfiguration(owner: "pool-test", maxConcurrentJobs: 4, leaseDuration: .seconds(ownLease),
                                                   logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")),
            didFinish: probe.didFinish)
        try await running(pool) {
            // One round first: the pool's start-up rescues other owners' leases at once.
            let warmUp = try fixture.enqueue(["ok"])
            pool.wake()
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.jobID) == [warmUp.id])
            let (job, expiry) = try claimedElsewhere()
            pool.wake()
            try await Self.until("the idle pool sleeps until the other owner's lease runs out") {
                fixture.clock.sleeperDeadlines == [expiry + 0.001]
            }
            fixture.clock.set(expiry + 0.001)
            try await Self.until("the pool rescues the job") { try fixture.state(job.id) != .running }
            // Rescued into the queue behind its backoff, if any; the pool sleeps until then.
            if let retry = try fixture.queue.job(job.id)?.notBefore, retry > fixture.clock.now() {
                try await Self.until("the pool sleeps until the retry") { fixture.clock.sleeperDeadlines == [retry] }
                fixture.clock.set(retry)
            }
            #expect(try await PoolProbe.next(1, of: probe.completions).map(\.state) == [.succeeded])
            #expect(try fixture.queue.job(job.id)?.attempt == 2)
        }
    }

    @Test("Participant A queues fifty stages, then B one: B's starts within the pool's first slots, before A's fifty end")
    func fairShareInThePool() async throws {
        let pool = pool(maxConcurrentJobs: 2)
        // All queued before the pool starts, so that none of A's runs before B's exists.
        let alice = try (0..<50).map { _ in try fixture.queue.enqueue(JobSpec(argv: ["ok"], queue: "train", shareKey: "participant:a")).job }
        let bob = try fixture.queue.enqueue(JobSpec(argv: ["ok"], queue: "train", shareKey: "participant:b")).job
        try await running(pool) {
            let started = try await PoolProbe.next(51, of: executor.started).map(\.id)
            let bobAt = try #require(started.firstIndex(of: bob.id))
            #expect(bobAt < 2, "B's stage took one of the first two slots; it started \(bobAt + 1)th")
            #expect(Set(started) == Set(alice.map(\.id) + [bob.id]), "and every stage ran once")
        }
    }

    /// A job enqueued and claimed by another worker in one transaction, so that the running
    /// pool never sees it unclaimed; with its lease's end.
    func claimedElsewhere() throws -> (Job, Date) {
        try fixture.database.write { db in
            let job = try fixture.queue.enqueue(db, JobSpec(argv: ["ok"])).job
            let claimed = try fixture.queue.claim(db, ClaimRequest(
                owner: "crashed-worker", leaseDuration: 60, limit: 1, queueLimits: QueueLimits(), executorName: "test",
                logDirectory: "/var/log/test"))
            try #require(claimed.map(\.id) == [job.id])
            return (job, try #require(claimed[0].leaseExpiresAt))
        }
    }

    /// Waits for `condition`, checking every few milliseconds; the deadline bounds a failure.
    static func until(_ what: String, within seconds: Double = 20, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw PoolProbe.Timeout(wanted: 1, what: what) }
            try await Task.sleep(for: .milliseconds(5), clock: .continuous)
        }
    }
}
