import Foundation
import Scheduler
import Testing

@Suite("Queue: retries and backoff")
struct QueueBackoffTests {
    static let delays: [(attempt: Int, random: Double, seconds: Double)] = [
        (1, 0.5, 10), (2, 0.5, 20), (3, 0.5, 40), (4, 0.5, 80), (5, 0.5, 160),
        (6, 0.5, 300), (40, 0.5, 300), (10_000, 0.5, 300),  // capped
        (1, 0.0, 8), (1, 1.0, 12), (3, 0.25, 36), (6, 0.0, 240),  // jitter ±20 %
    ]

    @Test("min(cap, base·2^(attempt-1)) scaled by jitter", arguments: delays)
    func delayTable(attempt: Int, random: Double, seconds: Double) {
        let backoff = RetryBackoff(base: 10, cap: 300, jitter: 0.2)
        #expect(abs(backoff.delay(afterAttempt: attempt, random: random) - seconds) < 1e-9)
    }

    @Test("A failed attempt waits out its backoff, then runs again; the last one is dead")
    func retriesUntilDead() throws {
        let fixture = try QueueFixture()
        let job = try fixture.enqueue(maxAttempts: 3)
        var lease = try fixture.claimOnly(job.id)
        #expect(try fixture.exit(lease, status: 3) == .failed)
        var failed = try #require(try fixture.queue.job(job.id))
        #expect(failed.notBefore == QueueFixture.start + 10)
        #expect(failed.exitStatus == 3 && failed.error == "exited with status 3")
        #expect(failed.finishedAt == nil && failed.leaseOwner == nil)
        #expect(try fixture.queue.nextDueDate() == QueueFixture.start + 10)

        fixture.clock.advance(by: 9.999)
        #expect(try fixture.claim().isEmpty, "not before the backoff has passed")
        fixture.clock.advance(by: 0.001)
        lease = try fixture.claimOnly(job.id)
        #expect(lease.attempt == 2)
        #expect(try fixture.exit(lease, status: 3) == .failed)
        failed = try #require(try fixture.queue.job(job.id))
        #expect(failed.notBefore == QueueFixture.start + 10 + 20)

        fixture.clock.advance(by: 20)
        lease = try fixture.claimOnly(job.id)
        #expect(try fixture.exit(lease, status: 3) == .dead)
        let dead = try #require(try fixture.queue.job(job.id))
        #expect(dead.error == "exited with status 3 (attempt 3 of 3; no attempts left)")
        #expect(dead.finishedAt == QueueFixture.start + 30)
        #expect(try fixture.queue.nextDueDate() == nil)
    }

    @Test("A success after failures ends it succeeded")
    func succeedsOnRetry() throws {
        let fixture = try QueueFixture()
        let job = try fixture.enqueue(maxAttempts: 3)
        try fixture.exit(try fixture.claimOnly(job.id), status: 1)
        fixture.clock.advance(by: 10)
        #expect(try fixture.exit(try fixture.claimOnly(job.id), status: 0) == .succeeded)
        let done = try #require(try fixture.queue.job(job.id))
        #expect(done.attempt == 2 && done.error == nil && done.exitStatus == 0)
    }

    @Test("Signals and timeouts are failures, described")
    func failureDescriptions() throws {
        let fixture = try QueueFixture()
        let job = try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], timeoutSeconds: 1.5, maxAttempts: 1)).job
        let lease = try fixture.claimOnly(job.id)
        let result = ExecutionResult(termination: .signalled(SIGKILL), stoppedBy: .timeout)
        #expect(try fixture.queue.complete(lease, outcome: .ran(result)) == .dead)
        let dead = try #require(try fixture.queue.job(job.id))
        #expect(dead.signal == SIGKILL)
        #expect(dead.error == "ran past its time limit of 1.5 s and was killed by signal \(SIGKILL) (SIGKILL) (attempt 1 of 1; no attempts left)")
    }

    @Test("A command that cannot run at all is dead at once; a passing failure to start is retried")
    func couldNotRun() throws {
        let fixture = try QueueFixture()
        let missing = try fixture.enqueue(maxAttempts: 5)
        let outcome = JobOutcome.couldNotRun(ExecutionError(.executableNotFound, "the executable 'tpyo' was not found in PATH"))
        #expect(try fixture.queue.complete(try fixture.claimOnly(missing.id), outcome: outcome) == .dead)
        #expect(try fixture.queue.job(missing.id)?.error == "the executable 'tpyo' was not found in PATH (attempt 1 of 5; no attempts left)")

        let flaky = try fixture.enqueue(maxAttempts: 5)
        let transient = JobOutcome.couldNotRun(ExecutionError(.logUnavailable, "disk full"))
        #expect(try fixture.queue.complete(try fixture.claimOnly(flaky.id), outcome: transient) == .failed)
    }
}
