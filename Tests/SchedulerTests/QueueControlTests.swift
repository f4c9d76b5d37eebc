import Foundation
import Scheduler
import Testing

@Suite("Queue: cancel, retry and prune")
struct QueueControlTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    @Test("Cancelling a job that has not started ends it at once")
    func cancelQueued() throws {
        let job = try fixture.enqueue()
        let cancelled = try fixture.queue.cancel(job.id)
        #expect(cancelled.state == .cancelled && cancelled.finishedAt == QueueFixture.start)
        #expect(try fixture.claim().isEmpty)
    }

    @Test("Cancelling a pending retry ends it at once")
    func cancelFailed() throws {
        let job = try fixture.enqueue()
        try fixture.exit(try fixture.claimOnly(job.id), status: 1)
        #expect(try fixture.queue.cancel(job.id).state == .cancelled)
    }

    @Test("Cancelling a running job flags it; its worker's report then ends it cancelled")
    func cancelRunning() throws {
        let job = try fixture.enqueue()
        let lease = try fixture.claimOnly(job.id)
        let flagged = try fixture.queue.cancel(job.id)
        #expect(flagged.state == .running && flagged.cancelRequested)
        #expect(try fixture.queue.cancelRequests(owner: QueueFixture.owner) == [job.id])
        let killed = ExecutionResult(termination: .signalled(SIGTERM), stoppedBy: .cancel)
        #expect(try fixture.queue.complete(lease, outcome: .ran(killed)) == .cancelled)
        #expect(try fixture.queue.cancelRequests(owner: QueueFixture.owner).isEmpty)
    }

    @Test("A cancelled job that failed anyway is not retried")
    func cancelWinsOverRetry() throws {
        let job = try fixture.enqueue(maxAttempts: 5)
        let lease = try fixture.claimOnly(job.id)
        try fixture.queue.cancel(job.id)
        #expect(try fixture.exit(lease, status: 1) == .cancelled)
    }

    @Test("A finished job cannot be cancelled")
    func cancelFinished() throws {
        let job = try fixture.enqueue()
        try fixture.exit(try fixture.claimOnly(job.id), status: 0)
        let error = try #require(throws: JobQueueError.self) { try fixture.queue.cancel(job.id) }
        #expect(error.code == .alreadyFinished)
        #expect(error.message == "job \(job.id) already ended (succeeded); there is nothing to cancel")
        #expect(try #require(throws: JobQueueError.self) { try fixture.queue.cancel(12345) }.code == .unknownJob)
    }

    @Test("Retry runs a dead job again with its attempts reset")
    func retryDead() throws {
        let job = try fixture.enqueue(maxAttempts: 1)
        try fixture.exit(try fixture.claimOnly(job.id), status: 1)
        fixture.clock.advance(by: 100)
        let retried = try fixture.queue.retry(job.id)
        #expect(retried.state == .queued && retried.attempt == 0 && retried.error == nil && retried.finishedAt == nil)
        #expect(retried.notBefore == QueueFixture.start + 100)
        #expect(try fixture.claimOnly(job.id).attempt == 1)
    }

    @Test("Only dead, cancelled and upstream-failed jobs can be retried")
    func retryRefused() throws {
        let job = try fixture.enqueue()
        let error = try #require(throws: JobQueueError.self) { try fixture.queue.retry(job.id) }
        #expect(error.code == .notRetryable)
        #expect(error.message == "job \(job.id) is queued; only dead, cancelled or upstream-failed jobs can be retried")
    }

    @Test("Retry refuses while another job holds the unique key")
    func retryUniqueKey() throws {
        let first = try fixture.enqueue(uniqueKey: "k")
        try fixture.queue.cancel(first.id)
        let second = try fixture.enqueue(uniqueKey: "k")
        let error = try #require(throws: JobQueueError.self) { try fixture.queue.retry(first.id) }
        #expect(error.code == .uniqueKeyTaken)
        #expect(error.message.contains("job \(second.id) holds the unique key 'k'"))
    }

    @Test("Prune deletes jobs that ended before the cut-off and returns their logs")
    func prune() throws {
        let old = try fixture.enqueue()
        let oldLease = try fixture.claimOnly(old.id)
        try fixture.exit(oldLease, status: 0)
        let keptForDependant = try fixture.enqueue()
        try fixture.exit(try fixture.claimOnly(keptForDependant.id), status: 0)
        let blocker = try fixture.enqueue()
        let dependant = try fixture.enqueue(after: [keptForDependant.id, blocker.id])
        fixture.clock.advance(by: 3600)
        let recent = try fixture.enqueue()
        try fixture.queue.cancel(recent.id)

        let logs = try fixture.queue.prune(finishedBefore: QueueFixture.start + 60)
        #expect(logs == ["/var/log/test/job-\(old.id).log"])
        #expect(try fixture.queue.job(old.id) == nil)
        #expect(try fixture.queue.job(keptForDependant.id) != nil, "a waiting job still depends on it")
        #expect(try fixture.queue.job(recent.id) != nil, "ended after the cut-off")
        #expect(try fixture.state(dependant.id) == .waiting)
    }
}
