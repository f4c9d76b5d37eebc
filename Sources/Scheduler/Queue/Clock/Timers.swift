import Dispatch

/// The daemon's one way to wait for a duration: a poll's interval, a kill's grace, a retry's
/// backoff, the watchdog's period.
///
/// Not `Task.sleep`: on Linux it arms its timer on libdispatch's global queues, and the
/// first of their worker threads starts libdispatch's work-queue monitor, a timer that
/// fires every second for the rest of the process's life (`_dispatch_workq_init_once`), so
/// one sleep anywhere would cost an idle daemon 60 wake-ups a minute. This timer is
/// libdispatch's too, but its handler runs on a serial queue, which Dispatch serves from its
/// overcommit threads, which the monitor does not watch. Durations are on the monotonic
/// clock.
public enum Timers {
    static let queue = DispatchQueue(label: "hekaton.timers")

    /// Returns after `duration`, or throws `CancellationError` as soon as the calling task is
    /// cancelled.
    public static func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return try Task.checkCancellation() }
        // A century at most: far enough for any wait here, and no overflow.
        let nanoseconds = min(duration / .nanoseconds(1), 3.2e18)
        let deadline = DispatchTime.now() + .nanoseconds(Int(nanoseconds))
        try await wait { fire in queue.asyncAfter(deadline: deadline, execute: fire) }
    }

    /// Suspends until the timer that `arm` sets on `queue` calls the function it is given, or
    /// throws `CancellationError` as soon as the calling task is cancelled (`arm` is not called
    /// when it already was). The wall clock's sleeps use it too.
    static func wait(arming arm: @escaping @Sendable (_ fire: @escaping @Sendable () -> Void) -> Void) async throws {
        let sleeper = WallSleeper()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard sleeper.wait(continuation) else { return }
                arm { sleeper.end(cancelled: false) }
            }
        } onCancel: {
            sleeper.end(cancelled: true)
        }
    }

    /// Returns at `instant` on the continuous clock (at once if it has passed), or throws
    /// `CancellationError` when the calling task is cancelled first.
    public static func sleep(until instant: ContinuousClock.Instant) async throws {
        try await sleep(for: ContinuousClock.now.duration(to: instant))
    }
}
