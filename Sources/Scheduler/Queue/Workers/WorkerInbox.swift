import Dispatch
import Foundation

/// Where the worker pool's loop sleeps, and what wakes it: finished attempts, `wake()`
/// (a job was enqueued or cancelled), a deadline (a retry coming due, the heartbeat) or
/// the loop's cancellation. Nothing polls.
final class WorkerInbox: @unchecked Sendable {
    struct Mail {
        var finished: [FinishedAttempt]
        /// Someone called `wake()` since the last take.
        var woken: Bool
    }

    // NSLock rather than `Mutex`, which needs macOS 15 and the package supports macOS 14.
    private let lock = NSLock()
    private var finished: [FinishedAttempt] = []
    private var woken = false
    /// A ring that no waiter has consumed yet.
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// The earliest timer in flight; a later deadline needs no timer of its own.
    private var timerDeadline: DispatchTime?

    func post(_ attempt: FinishedAttempt) {
        ring { finished.append(attempt) }
    }

    func wake() {
        ring { woken = true }
    }

    func take() -> Mail {
        lock.withLock {
            defer {
                finished = []
                woken = false
            }
            return Mail(finished: finished, woken: woken)
        }
    }

    /// Returns at the first ring after (or pending before) the call, or at `deadline`.
    /// - Parameter interruptible: Whether the calling task's cancellation also rings.
    func wait(until deadline: DispatchTime?, interruptible: Bool) async {
        if let deadline { arm(deadline) }
        if interruptible {
            await withTaskCancellationHandler {
                await suspend()
            } onCancel: {
                ring {}
            }
        } else {
            await suspend()
        }
    }

    private func suspend() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = lock.withLock {
                if rung {
                    rung = false
                    return true
                }
                waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func ring(_ update: () -> Void) {
        let sleeper: CheckedContinuation<Void, Never>? = lock.withLock {
            update()
            guard let waiting = waiter else {
                rung = true
                return nil
            }
            waiter = nil
            return waiting
        }
        sleeper?.resume()
    }

    private func arm(_ deadline: DispatchTime) {
        let needed: Bool = lock.withLock {
            if let pending = timerDeadline, pending <= deadline { return false }
            timerDeadline = deadline
            return true
        }
        guard needed else { return }
        DispatchQueue.global().asyncAfter(deadline: deadline) { [self] in
            ring {
                if timerDeadline == deadline { timerDeadline = nil }
            }
        }
    }
}
