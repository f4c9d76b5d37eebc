import Foundation
import Scheduler
import Testing

/// What a running worker pool reports, as a stream a test awaits: the attempts each commit
/// recorded, in order. Every wait has a deadline, so a pool that never reports fails the
/// test instead of hanging it; the deadline bounds a failure and is never what is tested.
struct PoolProbe: Sendable {
    let completions: AsyncStream<JobCompletion>
    let didFinish: @Sendable ([JobCompletion]) -> Void

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: JobCompletion.self)
        completions = stream
        didFinish = { for completion in $0 { continuation.yield(completion) } }
    }

    struct Timeout: Error, CustomStringConvertible {
        var wanted: Int
        var what: String?
        var description: String { what.map { "not within the deadline: \($0)" } ?? "fewer than \(wanted) events came within the deadline" }
    }

    /// The next `count` elements of `stream`.
    static func next<Element: Sendable>(_ count: Int, of stream: AsyncStream<Element>, within seconds: Int = 30) async throws -> [Element] {
        try await withThrowingTaskGroup(of: [Element]?.self) { group in
            group.addTask {
                var elements: [Element] = []
                var iterator = stream.makeAsyncIterator()
                while elements.count < count, let element = await iterator.next() { elements.append(element) }
                return elements
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds), clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let elements = try await group.next() ?? nil, elements.count == count else { throw Timeout(wanted: count) }
            return elements
        }
    }
}
