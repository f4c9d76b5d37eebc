import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Synchronization

/// Runs a body over `count` items on `width` threads: the caller's and helpers taken from
/// the daemon's one pool for blocking work (NIO's shared `NIOThreadPool`, which
/// `BlockingWork` also uses), not threads of their own. Each thread takes the next item when
/// it is free, so one large file and many small ones still keep every core busy. The first
/// error stops the remaining items and is rethrown.
///
/// The caller works through the items itself and waits only for helpers that started: a
/// helper still queued behind other work when the items run out does nothing. So a caller
/// that is itself on the pool never waits for a thread that cannot come, and a busy pool
/// gives fewer helpers rather than a deadlock.
enum ParallelWork {
    static var defaultWidth: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body(worker, item)`: `worker` is in `0..<width`, for per-thread buffers.
    static func forEach(
        count: Int,
        width: Int = defaultWidth,
        _ body: @Sendable (_ worker: Int, _ item: Int) throws -> Void
    ) throws {
        let queue = ItemQueue(count: count)
        let threads = max(1, min(width, count))
        if threads == 1 {
            queue.work(0, body)
        } else {
            try withoutActuallyEscaping(body) { body in
                let crew = Crew(body)
                for worker in 1..<threads {
                    NIOThreadPool.singleton.submit { _ in crew.help(worker, queue) }
                }
                queue.work(0, body)
                crew.dismiss()
            }
        }
        if let error = queue.firstError { throw error }
    }
}

/// The helpers of one `forEach`: the body while it may still be called, and how many
/// helpers are calling it.
private final class Crew: @unchecked Sendable {
    typealias Body = @Sendable (_ worker: Int, _ item: Int) throws -> Void

    /// Holds how many helpers are at work; `body` and `helpers` are read and changed only
    /// while it is locked (its `value` locks again, so it is not read under the lock).
    private let running = ConditionLock(value: 0)
    private var helpers = 0
    private var body: Body?

    init(_ body: @escaping Body) {
        self.body = body
    }

    func help(_ worker: Int, _ queue: ItemQueue) {
        do {
            running.lock()
            guard let body else { return running.unlock() }
            helpers += 1
            running.unlock(withValue: helpers)
            queue.work(worker, body)
        }
        // The body is let go of above, before the caller may return and end its lifetime.
        running.lock()
        helpers -= 1
        running.unlock(withValue: helpers)
    }

    /// No helper starts work after this; returns once those that started have finished.
    func dismiss() {
        running.lock()
        body = nil
        running.unlock()
        running.lock(whenValue: 0)
        running.unlock()
    }
}

/// Hands out item numbers in order and remembers the first failure.
private final class ItemQueue: Sendable {
    private struct State {
        var nextItem = 0
        var error: (any Error)?
    }

    private let state = Mutex(State())
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        state.withLock { state in
            guard state.error == nil, state.nextItem < count else { return nil }
            defer { state.nextItem += 1 }
            return state.nextItem
        }
    }

    func fail(_ error: any Error) {
        state.withLock { state in
            if state.error == nil { state.error = error }
        }
    }

    var firstError: (any Error)? { state.withLock { $0.error } }

    /// Takes items until none is left or one failed.
    func work(_ worker: Int, _ body: (_ worker: Int, _ item: Int) throws -> Void) {
        while let item = next() {
            do {
                try body(worker, item)
            } catch {
                fail(error)
                return
            }
        }
    }
}
