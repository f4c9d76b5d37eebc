import Foundation

/// Where the queue and the schedules read the time, and where they wait for it: every due
/// date, lease expiry, backoff, heartbeat, time limit and fire time is computed from, and
/// slept on, an injected clock, so tests drive time instead of waiting for it.
///
/// The daemon's rules for time and blocking work, in one place:
/// - Scheduling decisions read and sleep on this clock; nothing reads `Date()`,
///   `DispatchTime` or `asyncAfter` for them.
/// - `ContinuousClock` only measures how long something real took (a child's wall time, a
///   request), and real durations (a poll's interval, a process's kill grace: a test clock
///   cannot drive a process) are slept with `Timers.sleep(for:)`, never `Task.sleep`, whose
///   timers start libdispatch's once-a-second work-queue monitor (`Timers` says how).
/// - Swift Concurrency's global executor is the daemon's event loops
///   (`EventLoopGlobalExecutor`), for the same reason.
/// - Async code reads and writes the database with GRDB's async `read`/`write`.
/// - Blocking file and CPU work (hashing, copying, tar) runs on one thread pool,
///   `BlockingWork.run` (whose pool `ParallelWork` shares); children are waited for by one
///   reaper thread; locks are `Mutex`.
public protocol WallClock: Sendable {
    func now() -> Date

    /// Returns once `now()` has reached `deadline` (at once if it has), or throws
    /// `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Date) async throws
}
