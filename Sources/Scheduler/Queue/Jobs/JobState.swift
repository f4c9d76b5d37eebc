import GRDB

/// Where a job is in its life. A job ends exactly once, in one of the final states.
public enum JobState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Some of its dependencies have not succeeded yet.
    case waiting
    /// Ready to run once its `not_before` has passed and its queue has room.
    case queued
    /// A worker holds its lease.
    case running
    case succeeded
    /// Its last attempt failed and a retry is pending at `not_before`.
    case failed
    /// Failed with no attempts left.
    case dead
    case cancelled
    /// A job it depends on ended without succeeding, so it can never run.
    case upstreamFailed = "upstream-failed"

    public var isFinal: Bool {
        switch self {
        case .succeeded, .dead, .cancelled, .upstreamFailed: true
        case .waiting, .queued, .running, .failed: false
        }
    }

    /// Ended without succeeding: the jobs that depend on it can never run.
    public var isFailedForGood: Bool {
        switch self {
        case .dead, .cancelled, .upstreamFailed: true
        default: false
        }
    }

    /// States in which a job still holds its unique key.
    static let holdingUniqueKey: [JobState] = [.waiting, .queued, .running, .failed]

    /// `('a', 'b')`, for SQL written by hand; the values are this enum's own.
    static func sqlList(_ states: [JobState]) -> String {
        "(" + states.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }
}
