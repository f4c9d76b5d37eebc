import Foundation
import Synchronization

/// Lets a sleeping loop be woken early: `wait(until:interruptible:)` returns when `signal()`
/// is called, its clock reaches the deadline, or (when interruptible) the waiting task is
/// cancelled. A signal with no waiter is kept for the next wait.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextID: UInt64 = 0
        /// A wait whose end came before it suspended (its deadline had passed, or it was cancelled).
        var endedEarly: UInt64?
    }

    private let state = Mutex(State())
    private let clock: any WallClock

    public init(clock: any WallClock) {
        self.clock = clock
    }

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// - Parameters:
    ///   - deadline: When to stop waiting on the clock; nil waits for a signal alone.
    ///   - interruptible: Whether the calling task's cancellation ends the wait.
    public func wait(until deadline: Date?, interruptible: Bool = true) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { [clock] group in
            if let deadline {
                // Cancelled below when the wait ends first.
                group.addTask {
                    if (try? await clock.sleep(until: deadline)) != nil { self.end(id) }
                }
            }
            if interruptible {
                await withTaskCancellationHandler {
                    await suspend(id)
                } onCancel: {
                    end(id)
                }
            } else {
                await suspend(id)
            }
            group.cancelAll()
        }
    }

    private func suspend(_ id: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                if state.endedEarly == id { return true }
                state.waiter = (id, continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends this wait alone, not a later one.
    private func end(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else {
                state.endedEarly = id
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
