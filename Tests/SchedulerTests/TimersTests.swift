import Foundation
import Scheduler
import Testing

@Suite("Timers: the daemon's sleeps for a duration")
struct TimersTests {
    @Test("A sleep returns, and not before its duration has passed")
    func sleepsForItsDuration() async throws {
        let start = ContinuousClock.now
        try await Timers.sleep(for: .milliseconds(30))
        // A lower bound only: the timer must not fire early. How late it may be is not a test's business.
        #expect(ContinuousClock.now - start >= .milliseconds(30))
    }

    @Test("A sleep until an instant already past returns at once, as does a zero or negative duration")
    func pastInstants() async throws {
        try await Timers.sleep(until: ContinuousClock.now - .seconds(1))
        try await Timers.sleep(for: .zero)
        try await Timers.sleep(for: .seconds(-5))
    }

    @Test("A sleeping task that is cancelled throws CancellationError without waiting out its hour")
    func cancelledWhileSleeping() async throws {
        let sleeping = Task { try await Timers.sleep(for: .seconds(3600)) }
        sleeping.cancel()
        await #expect(throws: CancellationError.self) { try await sleeping.value }
    }

    @Test("A task cancelled before it sleeps throws at once")
    func cancelledBefore() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await Timers.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
