import Dispatch
import Foundation
import Synchronization

/// Runs a body over `count` items on `width` threads. Each thread takes the next item when
/// it is free, so one large file and many small ones still keep every core busy. The first
/// error stops the remaining items and is rethrown.
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
        @Sendable func work(_ worker: Int) {
            while let item = queue.next() {
                do {
                    try body(worker, item)
                } catch {
                    queue.fail(error)
                    return
                }
            }
        }
        if threads == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
        if let error = queue.firstError { throw error }
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
}
