import Scheduler
import Foundation
import Synchronization

/// A pause that a stop request cuts short: the executor's polling sleeps here, so a cancel
/// or shutdown is acted on at once, never after the rest of a poll interval.
final class StopLatch: Sendable {
    private struct State {
        var fired = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    func fire() {
        let waiting: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Returns after `duration`, or as soon as the latch fires (at once if it has).
    func pause(_ duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Timers.sleep(for: duration) }
            group.addTask { await self.untilFired() }
            await group.next()
            group.cancelAll()
        }
    }

    private func untilFired() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now: Bool = state.withLock { state in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
