import Foundation
import Scheduler
import Testing

@Suite("Queue: claiming")
struct QueueClaimTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    @Test("Higher priority first, then enqueue order")
    func priorityOrder() throws {
        let low = try fixture.enqueue(priority: -1)
        let normal1 = try fixture.enqueue()
        let high = try fixture.enqueue(priority: 10)
        let normal2 = try fixture.enqueue()
        #expect(try fixture.claim(limit: 3).map(\.id) == [high.id, normal1.id, normal2.id])
        #expect(try fixture.claim(limit: 3).map(\.id) == [low.id])
    }

    @Test("A claim is a lease: the job is running, its attempt counted, and nobody else gets it")
    func claimTakesALease() throws {
        let job = try fixture.enqueue()
        let claimed = try #require(try fixture.claim().first)
        #expect(claimed.state == .running && claimed.attempt == 1)
        #expect(claimed.leaseOwner == QueueFixture.owner)
        #expect(claimed.leaseExpiresAt == QueueFixture.start + 60)
        #expect(claimed.startedAt == QueueFixture.start)
        #expect(claimed.executor == "test")
        #expect(claimed.logPath == "/var/log/test/job-\(job.id).log")
        #expect(try fixture.claim(owner: "worker-b").isEmpty)
    }

    @Test("A job is not claimed before its not-before time, and that time is the next due date")
    func notBefore() throws {
        let later = QueueFixture.start + 120
        let job = try fixture.enqueue(notBefore: later)
        #expect(try fixture.claim().isEmpty)
        #expect(try fixture.queue.nextDueDate() == later)
        fixture.clock.set(later)
        #expect(try fixture.claim().map(\.id) == [job.id])
        #expect(try fixture.queue.nextDueDate() == nil)
    }

    @Test("Per-queue limits count running jobs; other queues still run")
    func perQueueLimits() throws {
        for _ in 0..<3 { try fixture.enqueue(queue: "gpu") }
        for _ in 0..<3 { try fixture.enqueue(queue: "cpu") }
        let limits = QueueLimits(defaultLimit: 2, limits: ["gpu": 1])
        let first = try fixture.claim(limits: limits)
        #expect(first.filter { $0.queue == "gpu" }.count == 1)
        #expect(first.filter { $0.queue == "cpu" }.count == 2)
        #expect(try fixture.claim(limits: limits).isEmpty, "both queues are at their limit")

        let gpu = try #require(first.first { $0.queue == "gpu" }?.lease)
        try fixture.exit(gpu, status: 0)
        #expect(try fixture.claim(limits: limits).map(\.queue) == ["gpu"])
    }

    @Test("Jobs of an executor that runs elsewhere take its room, not the pool's slots; the pool's default names the rest")
    func elsewhereSlots() throws {
        let cluster = try (0..<3).map { _ in try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], executor: "cluster")).job }
        let local = try (0..<2).map { _ in try fixture.enqueue() }
        let request = { (limit: Int, cluster: Int) in
            ClaimRequest(owner: QueueFixture.owner, leaseDuration: 60, limit: limit, executorName: "test",
                         elsewhereLimits: ["cluster": cluster])
        }
        let first = try fixture.queue.claim(request(1, 2))
        #expect(first.map(\.id).sorted() == [cluster[0].id, cluster[1].id, local[0].id])
        #expect(first.map(\.executor) == ["cluster", "cluster", "test"])
        #expect(try fixture.queue.claim(request(0, 5)).map(\.id) == [cluster[2].id], "no slot of the pool is needed for it")
        #expect(try fixture.queue.claim(request(0, 5)).isEmpty, "the local job waits for a slot")
        #expect(try fixture.queue.claim(request(1, 0)).map(\.id) == [local[1].id])
    }

    @Test("Across queues, priority decides who gets the free slots")
    func priorityAcrossQueues() throws {
        try fixture.enqueue(queue: "a", priority: 1)
        let urgent = try fixture.enqueue(queue: "b", priority: 9)
        try fixture.enqueue(queue: "c", priority: 5)
        #expect(try fixture.claim(limit: 1).map(\.id) == [urgent.id])
    }
}
