import Foundation

/// How long a failed job waits before its next attempt: exponential, capped, with jitter
/// so that jobs failing together do not retry together.
public struct RetryBackoff: Sendable, Hashable {
    /// The wait after the first failed attempt.
    public var base: TimeInterval
    /// No wait is longer than this (before jitter).
    public var cap: TimeInterval
    /// The wait is scaled by a factor drawn from `1 - jitter ... 1 + jitter`.
    public var jitter: Double

    public init(base: TimeInterval = 10, cap: TimeInterval = 3600, jitter: Double = 0.2) {
        precondition(base >= 0 && cap >= 0 && (0...1).contains(jitter), "backoff needs base, cap >= 0 and jitter in 0...1")
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// `min(cap, base * 2^(attempt-1)) * (1 - jitter + 2 * jitter * random)`.
    /// - Parameters:
    ///   - attempt: The attempt that just failed, from 1.
    ///   - random: A number in `0..<1`; injected so the function stays pure.
    public func delay(afterAttempt attempt: Int, random: Double) -> TimeInterval {
        // 2^62 overflows nothing and is far past any cap; clamping keeps huge attempts finite.
        let exponent = Double(min(max(attempt, 1) - 1, 62))
        let capped = min(cap, base * pow(2, exponent))
        return capped * (1 - jitter + 2 * jitter * random)
    }
}
