import Foundation
import Scheduler
import Testing

/// Ready jobs of equal priority take turns by share (a participant): the order of claims,
/// never a time, is what these tests look at.
@Suite("Queue: fair sharing")
struct QueueFairShareTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    func enqueue(_ share: String?, _ count: Int = 1, queue: String = "train", priority: Int = 0) throws -> [Job] {
        try (0..<count).map { _ in
            try fixture.queue.enqueue(JobSpec(argv: ["ok"], queue: queue, priority: priority, shareKey: share)).job
        }
    }

    func finish(_ jobs: [Job]) throws {
        for job in jobs { try fixture.exit(try #require(job.lease), status: 0) }
    }

    @Test("Fifty ready jobs of one share do not hold back the first of another: it is claimed next")
    func oneShareDoesNotStarveAnother() throws {
        let alice = try enqueue("participant:alice", 50)
        let bob = try enqueue("participant:bob")
        // One slot at a time, each job finishing before the next claim: bob's comes second.
        let first = try fixture.claim(limit: 1)
        #expect(first.map(\.id) == [alice[0].id])
        try finish(first)
        fixture.clock.advance(by: 1)
        let second = try fixture.claim(limit: 1)
        #expect(second.map(\.id) == [bob[0].id], "bob's job goes before alice's second")
        try finish(second)
        fixture.clock.advance(by: 1)
        #expect(try fixture.claim(limit: 1).map(\.id) == [alice[1].id])
    }

    @Test("In one claim of several slots the shares alternate; the host's jobs go first among equals")
    func sharesAlternateWithinAClaim() throws {
        let alice = try enqueue("participant:alice", 5)
        let bob = try enqueue("participant:bob", 2)
        let host = try enqueue(nil)
        let claimed = try fixture.claim(limit: 6).map(\.id)
        #expect(claimed == [host[0].id, alice[0].id, bob[0].id, alice[1].id, bob[1].id, alice[2].id])
    }

    @Test("A share's running jobs count against its next turn")
    func runningJobsCount() throws {
        let alice = try enqueue("participant:alice", 4)
        let running = try fixture.claim(limit: 2)
        #expect(running.map(\.id) == [alice[0].id, alice[1].id])
        let bob = try enqueue("participant:bob", 2)
        // Bob's first has turn 1, his second turn 2; alice's next has turn 1 + 2 running.
        #expect(try fixture.claim(limit: 3).map(\.id) == [bob[0].id, bob[1].id, alice[2].id])
    }

    @Test("Priority still comes before turns, and turns work across queues")
    func priorityBeforeTurns() throws {
        let alice = try enqueue("participant:alice", 3, queue: "train", priority: 5)
        let bob = try enqueue("participant:bob", 1, queue: "predict")
        #expect(try fixture.claim(limit: 2).map(\.id) == [alice[0].id, alice[1].id])
        #expect(try fixture.claim(limit: 2).map(\.id) == [alice[2].id, bob[0].id])
    }

    @Test("A share key that is empty or too long is refused and nothing is enqueued")
    func badShareKey() throws {
        for key in ["", String(repeating: "x", count: 100_000)] {
            #expect(throws: JobQueueError.self) {
                try fixture.queue.enqueue(JobSpec(argv: ["ok"], shareKey: key))
            }
        }
        #expect(try fixture.jobCount() == 0)
    }

    @Test("The share is stored with the job and read back")
    func storedShare() throws {
        let job = try enqueue("participant:alice")[0]
        #expect(job.shareKey == "participant:alice")
        #expect(try fixture.queue.job(job.id)?.shareKey == "participant:alice")
    }
}
