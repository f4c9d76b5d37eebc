import Foundation
import GRDB

/// The durable job queue over the `job` and `job_dependency` tables.
///
/// A job is a row before it is anything else: every method commits before it returns.
/// Methods that take a `Database` run inside the caller's transaction instead, so that a
/// pipeline can enqueue a whole graph, or record a job's completion together with the
/// lineage it produced, in one commit.
///
/// Use a `DatabasePool` (WAL) in the daemon and an in-memory `DatabaseQueue` in tests; the
/// database must have `SchedulerSchema`'s migrations applied.
public struct JobQueue: Sendable {
    public let writer: any DatabaseWriter
    public let clock: any WallClock
    public let backoff: RetryBackoff
    /// Draws the jitter for backoff: a number in `0..<1`.
    let random: @Sendable () -> Double

    public init(
        writer: any DatabaseWriter, clock: any WallClock = SystemWallClock(), backoff: RetryBackoff = RetryBackoff(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.writer = writer
        self.clock = clock
        self.backoff = backoff
        self.random = random
    }
}
