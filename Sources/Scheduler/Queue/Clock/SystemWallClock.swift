import Foundation

/// The machine's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }

    /// Sleeps for the interval left as it stands now; a caller that loops re-reads the time
    /// when it wakes, so a changed system clock is noticed at the next deadline.
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSince(now())
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .seconds(seconds))
    }
}
