import Foundation

/// A clock that moves only when told to, for tests. Safe to read and move from any thread.
public final class ManualClock: WallClock, @unchecked Sendable {
    // NSLock rather than `Mutex`, which needs macOS 15 and the package supports macOS 14.
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    public func set(_ date: Date) {
        lock.withLock { current = date }
    }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }
}
