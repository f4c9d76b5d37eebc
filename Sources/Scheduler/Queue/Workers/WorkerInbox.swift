import Foundation
import Synchronization

/// Where the worker pool's loop sleeps, and what wakes it: finished attempts, `wake()`
/// (a job was enqueued or cancelled), a deadline on the queue's clock (a retry coming due,
/// the heartbeat) or the loop's cancellation. Nothing polls.
final class WorkerInbox: Sendable {
    struct Mail {
        var finished: [FinishedAttempt] = []
        /// Someone called `wake()` since the last take.
        var woken = false
    }

    private let mail = Mutex(Mail())
    private let bell: WakeSignal

    init(clock: any WallClock) {
        bell = WakeSignal(clock: clock)
    }

    func post(_ attempt: FinishedAttempt) {
        mail.withLock { $0.finished.append(attempt) }
        bell.signal()
    }

    func wake() {
        mail.withLock { $0.woken = true }
        bell.signal()
    }

    func take() -> Mail {
        mail.withLock { mail in
            defer { mail = Mail() }
            return mail
        }
    }

    /// Returns at the first ring after (or pending before) the call, or once the clock
    /// reaches `deadline`.
    /// - Parameter interruptible: Whether the calling task's cancellation also rings.
    func wait(until deadline: Date?, interruptible: Bool) async {
        await bell.wait(until: deadline, interruptible: interruptible)
    }
}
