import Foundation

/// How a `WorkerPool` claims and runs jobs.
public struct WorkerPoolConfiguration: Sendable {
    /// The lease owner: unique per daemon process, so that at start-up every other owner's
    /// lease is known to be dead.
    public var owner: String
    /// Jobs running at once on this host, across all queues.
    public var maxConcurrentJobs: Int
    /// Executors whose jobs run elsewhere (a cluster), by name, each with a limit of its own:
    /// their jobs take none of `maxConcurrentJobs`' slots.
    public var elsewhereLimits: [String: Int]
    public var queueLimits: QueueLimits
    public var leaseDuration: Duration
    /// How often leases are renewed and expired ones rescued; a third of the lease by default.
    public var heartbeatInterval: Duration
    /// At most this many jobs per claim transaction.
    public var claimBatchSize: Int
    /// Where a job without a log path of its own logs (`job-<id>.log`).
    public var logDirectory: URL

    public init(
        owner: String = WorkerPoolConfiguration.processOwner(), maxConcurrentJobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        elsewhereLimits: [String: Int] = [:], queueLimits: QueueLimits = QueueLimits(), leaseDuration: Duration = .seconds(60), heartbeatInterval: Duration? = nil,
        claimBatchSize: Int = 256, logDirectory: URL
    ) {
        precondition(maxConcurrentJobs > 0 && claimBatchSize > 0, "a worker pool needs at least one slot and a positive claim batch")
        self.owner = owner
        self.maxConcurrentJobs = maxConcurrentJobs
        self.elsewhereLimits = elsewhereLimits
        self.queueLimits = queueLimits
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval ?? leaseDuration / 3
        self.claimBatchSize = claimBatchSize
        self.logDirectory = logDirectory
    }

    /// An owner name unique to this process: its pid for people, a random part so a
    /// recycled pid never looks like the same owner.
    public static func processOwner() -> String {
        "pid-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
