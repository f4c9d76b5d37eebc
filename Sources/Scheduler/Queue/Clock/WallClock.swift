import Foundation

/// Where the queue reads the time: every due date, lease expiry and backoff is computed
/// from an injected clock so tests can drive time instead of sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}
