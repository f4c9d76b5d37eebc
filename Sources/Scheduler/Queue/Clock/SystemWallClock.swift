import Dispatch
import Foundation
import Synchronization

/// The machine's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }

    /// Sleeps on a timer at `deadline` on the real-time clock itself (libdispatch's wall
    /// timers are `CLOCK_REALTIME` timerfds armed absolute), so a changed system clock moves
    /// the wake-up with it and nothing needs to re-check on a period. `Task.sleep(for:)`
    /// would be wrong twice: it measures an interval, and on Linux its suspending clock makes
    /// libdispatch re-arm its timer every second for as long as the sleep lasts.
    public func sleep(until deadline: Date) async throws {
        guard deadline > now() else { return try Task.checkCancellation() }
        let seconds = deadline.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let wall = DispatchWallTime(timespec: timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9)))
        // On the timers' serial queue, not a global one (`Timers` says why).
        try await Timers.wait { fire in Timers.queue.asyncAfter(wallDeadline: wall, execute: fire) }
    }
}

/// One sleep's continuation, resumed once: by its timer or by its task's cancellation,
/// whichever comes first (cancellation may come before the continuation exists).
final class WallSleeper: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>)
        case cancelled
        case ended
    }

    private let state = Mutex(State.idle)

    /// Keeps the continuation; false when the task was cancelled first (it is then resumed).
    func wait(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
        let cancelled = state.withLock { state -> Bool in
            if case .cancelled = state { return true }
            state = .waiting(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func end(cancelled: Bool) {
        let waiting = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case .idle:
                state = cancelled ? .cancelled : .ended
                return nil
            case .waiting(let continuation):
                state = .ended
                return continuation
            case .cancelled, .ended:
                return nil
            }
        }
        if cancelled { waiting?.resume(throwing: CancellationError()) } else { waiting?.resume() }
    }
}
