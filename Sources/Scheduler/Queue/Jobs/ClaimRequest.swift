import Foundation

/// A worker's request for jobs to run.
public struct ClaimRequest: Sendable, Hashable {
    /// Who takes the leases; unique per daemon process.
    public var owner: String
    /// How long a lease lasts without a heartbeat.
    public var leaseDuration: TimeInterval
    /// At most this many jobs that take one of the pool's slots.
    public var limit: Int
    public var queueLimits: QueueLimits
    /// Recorded in `job.executor` for jobs that name no executor of their own.
    public var executorName: String?
    /// Executors whose jobs run elsewhere (a cluster) and take none of the pool's slots: at
    /// most this many more of each one's jobs.
    public var elsewhereLimits: [String: Int]
    /// A job without a log path of its own logs to `<logDirectory>/job-<id>.log`.
    public var logDirectory: String?

    public init(
        owner: String, leaseDuration: TimeInterval, limit: Int, queueLimits: QueueLimits = QueueLimits(),
        executorName: String? = nil, elsewhereLimits: [String: Int] = [:], logDirectory: String? = nil
    ) {
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.limit = limit
        self.queueLimits = queueLimits
        self.executorName = executorName
        self.elsewhereLimits = elsewhereLimits
        self.logDirectory = logDirectory
    }
}
