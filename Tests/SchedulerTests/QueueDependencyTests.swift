import Foundation
import Scheduler
import Testing

@Suite("Queue: dependencies")
struct QueueDependencyTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    @Test("A chain runs one after the other")
    func chain() throws {
        let train = try fixture.enqueue(["train"])
        let predict = try fixture.enqueue(["predict"], after: [train.id])
        let score = try fixture.enqueue(["score"], after: [predict.id])
        #expect(predict.state == .waiting && score.state == .waiting)

        try fixture.exit(try fixture.claimOnly(train.id), status: 0)
        #expect(try fixture.state(predict.id) == .queued)
        #expect(try fixture.state(score.id) == .waiting)
        try fixture.exit(try fixture.claimOnly(predict.id), status: 0)
        try fixture.exit(try fixture.claimOnly(score.id), status: 0)
        #expect(try fixture.queue.countsByState() == [.succeeded: 3])
    }

    @Test("Fan-in waits for every dependency")
    func fanIn() throws {
        let a = try fixture.enqueue(["a"])
        let b = try fixture.enqueue(["b"])
        let merge = try fixture.enqueue(["merge"], after: [a.id, b.id])
        let claimed = try fixture.claim()
        #expect(Set(claimed.map(\.id)) == [a.id, b.id])
        try fixture.exit(try #require(claimed.first { $0.id == a.id }?.lease), status: 0)
        #expect(try fixture.state(merge.id) == .waiting, "b has not succeeded yet")
        try fixture.exit(try #require(claimed.first { $0.id == b.id }?.lease), status: 0)
        #expect(try fixture.state(merge.id) == .queued)
    }

    @Test("A dependency that fails for good makes its dependants upstream-failed, transitively")
    func failurePropagates() throws {
        let a = try fixture.enqueue(["a"], maxAttempts: 1)
        let b = try fixture.enqueue(["b"], after: [a.id])
        let c = try fixture.enqueue(["c"], after: [b.id])
        let unrelated = try fixture.enqueue(["d"])
        let claimed = try fixture.claim()
        let lease = try #require(claimed.first { $0.id == a.id }?.lease)
        #expect(try fixture.exit(lease, status: 2) == .dead)
        let failedB = try #require(try fixture.queue.job(b.id))
        let failedC = try #require(try fixture.queue.job(c.id))
        #expect(failedB.state == .upstreamFailed && failedC.state == .upstreamFailed)
        #expect(failedB.error == "job \(a.id), which it depends on, ended dead")
        #expect(failedC.error == "job \(b.id), which it depends on, ended upstream-failed")
        #expect(failedB.finishedAt == QueueFixture.start)
        #expect(try fixture.state(unrelated.id) == .running)
    }

    @Test("A job enqueued after its dependency failed for good is upstream-failed at once")
    func dependencyAlreadyDead() throws {
        let a = try fixture.enqueue(["a"], maxAttempts: 1)
        try fixture.exit(try fixture.claimOnly(a.id), status: 1)
        let late = try fixture.enqueue(["late"], after: [a.id])
        #expect(late.state == .upstreamFailed)
        #expect(late.error == "job \(a.id), which it depends on, ended dead")
    }

    @Test("A dependency that already succeeded leaves the new job queued")
    func dependencyAlreadySucceeded() throws {
        let a = try fixture.enqueue(["a"])
        try fixture.exit(try fixture.claimOnly(a.id), status: 0)
        #expect(try fixture.enqueue(["b"], after: [a.id]).state == .queued)
    }

    @Test("Depending on an unknown job or on itself is refused and changes nothing")
    func unknownAndSelf() throws {
        let a = try fixture.enqueue(["a"])
        let unknown = try #require(throws: JobQueueError.self) { try fixture.enqueue(["b"], after: [a.id, 999]) }
        #expect(unknown.code == .unknownDependency)
        #expect(unknown.message == "the job depends on job 999, which does not exist")
        // The next job would get id a+1: depending on it is depending on itself.
        let itself = try #require(throws: JobQueueError.self) { try fixture.enqueue(["b"], after: [a.id + 1]) }
        #expect(itself.code == .selfDependency)
        #expect(itself.message == "job \(a.id + 1) cannot depend on itself")
        #expect(try fixture.jobCount() == 1)
        #expect(try fixture.enqueue(["c"]).id == a.id + 1, "refused jobs use up no ids")
    }

    @Test("Cancelling a waiting job fails its dependants; retrying it revives them")
    func cancelAndRetryAcrossTheGraph() throws {
        let a = try fixture.enqueue(["a"])
        let b = try fixture.enqueue(["b"], after: [a.id])
        let c = try fixture.enqueue(["c"], after: [b.id])
        try fixture.queue.cancel(b.id)
        #expect(try fixture.state(b.id) == .cancelled)
        #expect(try fixture.state(c.id) == .upstreamFailed)
        #expect(try fixture.state(a.id) == .queued, "what it depends on is untouched")

        let retried = try fixture.queue.retry(b.id)
        #expect(retried.state == .waiting, "a has not succeeded yet")
        #expect(try fixture.state(c.id) == .waiting)
        try fixture.exit(try fixture.claimOnly(a.id), status: 0)
        #expect(try fixture.state(b.id) == .queued)
    }

    @Test("An upstream-failed job cannot be retried while its dependency is still failed")
    func retryBlockedByDependency() throws {
        let a = try fixture.enqueue(["a"], maxAttempts: 1)
        let b = try fixture.enqueue(["b"], after: [a.id])
        try fixture.exit(try fixture.claimOnly(a.id), status: 1)
        let error = try #require(throws: JobQueueError.self) { try fixture.queue.retry(b.id) }
        #expect(error.code == .notRetryable)
        #expect(error.message == "job \(b.id) depends on job \(a.id), which is dead; retry job \(a.id) first")
        try fixture.queue.retry(a.id)
        #expect(try fixture.state(b.id) == .waiting)
    }
}
