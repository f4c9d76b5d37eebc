import Foundation
import GRDB
import Scheduler
import Testing

@Suite("Queue: leases, heartbeats and rescue")
struct QueueLeaseTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    @Test("A heartbeat renews the leases it still holds, and names the ones it lost")
    func heartbeat() throws {
        let a = try fixture.enqueue()
        let b = try fixture.enqueue()
        _ = try fixture.claim()
        fixture.clock.advance(by: 30)
        let held = try fixture.queue.heartbeat(owner: QueueFixture.owner, jobIDs: [a.id, b.id], until: fixture.clock.now() + 60)
        #expect(held == [a.id, b.id])
        #expect(try fixture.queue.job(a.id)?.leaseExpiresAt == QueueFixture.start + 90)
        #expect(try fixture.queue.heartbeat(owner: "someone-else", jobIDs: [a.id], until: fixture.clock.now() + 60).isEmpty)
    }

    @Test("Expired leases are rescued: requeued with attempts left, dead without; the attempt counts")
    func expiry() throws {
        let retriable = try fixture.enqueue(maxAttempts: 2)
        let lastTry = try fixture.enqueue(maxAttempts: 1)
        let claimed = try fixture.claim()
        fixture.clock.advance(by: 59)
        #expect(try fixture.queue.expireLeases(adoptingAs: "worker-b", leaseDuration: 60).isEmpty)
        fixture.clock.advance(by: 2)
        let rescue = try fixture.queue.expireLeases(adoptingAs: "worker-b", leaseDuration: 60)
        #expect(rescue.requeued == [retriable.id])
        #expect(rescue.dead == [lastTry.id])
        let requeued = try #require(try fixture.queue.job(retriable.id))
        #expect(requeued.state == .queued && requeued.attempt == 1 && requeued.leaseOwner == nil)
        #expect(requeued.error == "attempt 1 of 2 was interrupted: its lease expired without a heartbeat")
        #expect(try fixture.queue.job(lastTry.id)?.error
                == "attempt 1 of 1 was interrupted: its lease expired without a heartbeat; no attempts left")

        // The worker that lost the lease reports late: nothing is recorded over the rescue.
        let stale = try #require(claimed.first { $0.id == retriable.id }?.lease)
        #expect(try fixture.exit(stale, status: 0) == nil)
        #expect(try fixture.state(retriable.id) == .queued)
        let second = try fixture.claimOnly(retriable.id, owner: "worker-b")
        #expect(second.attempt == 2)
        #expect(try fixture.exit(second, status: 0) == .succeeded)
        #expect(try fixture.exit(stale, status: 0) == nil, "a stale lease never records a second success")
    }

    @Test("At start-up, every job another process left running is rescued at once")
    func startupRescue() throws {
        let orphan = try fixture.enqueue()
        let cancelMe = try fixture.enqueue()
        let remote = try fixture.enqueue()
        let mine = try fixture.enqueue()
        let previous = try fixture.claim(limit: 3, owner: "pid-100-dead")
        #expect(previous.map(\.id) == [orphan.id, cancelMe.id, remote.id])
        try fixture.queue.cancel(cancelMe.id)
        let remoteLease = try #require(previous.last?.lease)
        #expect(try fixture.queue.recordExternalID("slurm-4242", for: remoteLease))
        let current = try fixture.claimOnly(mine.id, owner: "pid-200-live")

        let rescue = try fixture.queue.rescueLeases(notOwnedBy: "pid-200-live", leaseDuration: 60)
        #expect(rescue.requeued == [orphan.id])
        #expect(rescue.cancelled == [cancelMe.id])
        #expect(rescue.adopted.map(\.id) == [remote.id])
        #expect(rescue.adopted.first?.leaseOwner == "pid-200-live")
        #expect(rescue.adopted.first?.externalID == "slurm-4242")
        #expect(try fixture.state(orphan.id) == .queued)
        #expect(try fixture.state(cancelMe.id) == .cancelled)
        #expect(try fixture.state(mine.id) == .running, "this process's own leases are kept")
        #expect(try fixture.exit(current, status: 0) == .succeeded)
    }

    @Test("Every job ends exactly once through repeated crashes and rescues")
    func crashLoop() throws {
        let jobs = try (0..<30).map { _ in try fixture.enqueue(maxAttempts: 3) }
        var successes: [Int64: Int] = [:]
        for round in 0..<12 {
            let owner = "pid-\(round)"
            _ = try fixture.queue.rescueLeases(notOwnedBy: owner, leaseDuration: 60)
            let claimed = try fixture.claim(limit: 7, owner: owner)
            // This "process" finishes some of its jobs, then crashes holding the rest.
            for job in claimed.prefix(3) {
                if try fixture.exit(try #require(job.lease), status: 0) == .succeeded {
                    successes[job.id, default: 0] += 1
                }
            }
        }
        _ = try fixture.queue.rescueLeases(notOwnedBy: "final", leaseDuration: 60)
        while true {
            let claimed = try fixture.claim(owner: "final")
            if claimed.isEmpty { break }
            for job in claimed {
                if try fixture.exit(try #require(job.lease), status: 0) == .succeeded {
                    successes[job.id, default: 0] += 1
                }
            }
        }
        let counts = try fixture.queue.countsByState()
        let allFinal = counts.keys.allSatisfy { $0.isFinal }
        #expect(allFinal, "\(counts)")
        #expect(counts.values.reduce(0, +) == jobs.count, "no job lost")
        #expect(successes.values.allSatisfy { $0 == 1 }, "no job recorded succeeded twice")
        #expect(successes.count == counts[.succeeded] ?? 0)
    }
}
