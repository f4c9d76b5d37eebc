import Dispatch
import Foundation

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
private final class ItemQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextItem = 0
    private let count: Int
    private var error: (any Error)?

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.withLock {
            guard error == nil, nextItem < count else { return nil }
            defer { nextItem += 1 }
            return nextItem
        }
    }

    func fail(_ error: any Error) {
        lock.withLock {
            if self.error == nil { self.error = error }
        }
    }

    var firstError: (any Error)? { lock.withLock { error } }
}
