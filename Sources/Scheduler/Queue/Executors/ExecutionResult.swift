/// How an attempt ended and what it used.
public struct ExecutionResult: Sendable, Hashable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
    }

    public var termination: Termination
    public var wallSeconds: Double
    public var userSeconds: Double
    public var systemSeconds: Double
    /// Peak resident memory, when the executor can tell.
    public var peakMemoryBytes: Int64?
    /// Set when a stop request cut the command short; nil when it ended on its own.
    public var stoppedBy: ExecutionStop.Reason?
    /// What a job's handler made of the attempt (a stage's model, an ingestion's snapshot),
    /// carried in memory to its `record` in the transaction that finishes the job. Not part
    /// of equality: it says what was made, not how the attempt ended.
    public var output: (any Sendable)?
    /// The sandbox's limits the attempt ran into, when the executor can tell (a resource
    /// group's counters); for metrics and for saying why it failed. Not part of equality.
    public var limitsHit: Set<ResourceLimit> = []

    /// A limit of a sandbox's resource group that the kernel enforced.
    public enum ResourceLimit: String, Sendable, Hashable, CaseIterable {
        /// The memory limit: the OOM killer acted, or memory was refused at the limit.
        case memory
        /// The process limit (`pids.max`): a fork or clone was refused.
        case processes
    }

    public init(
        termination: Termination, wallSeconds: Double = 0, userSeconds: Double = 0, systemSeconds: Double = 0,
        peakMemoryBytes: Int64? = nil, stoppedBy: ExecutionStop.Reason? = nil
    ) {
        self.termination = termination
        self.wallSeconds = wallSeconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.stoppedBy = stoppedBy
    }

    public static func == (lhs: ExecutionResult, rhs: ExecutionResult) -> Bool {
        lhs.termination == rhs.termination && lhs.wallSeconds == rhs.wallSeconds && lhs.userSeconds == rhs.userSeconds
            && lhs.systemSeconds == rhs.systemSeconds && lhs.peakMemoryBytes == rhs.peakMemoryBytes && lhs.stoppedBy == rhs.stoppedBy
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(termination)
        hasher.combine(wallSeconds)
        hasher.combine(userSeconds)
        hasher.combine(systemSeconds)
        hasher.combine(peakMemoryBytes)
        hasher.combine(stoppedBy)
    }

    public var timedOut: Bool { stoppedBy == .timeout }
    public var cancelled: Bool { stoppedBy == .cancel }
    /// Exited 0 on its own.
    public var succeeded: Bool { termination == .exited(0) && stoppedBy == nil }

    public var exitStatus: Int32? {
        if case .exited(let status) = termination { status } else { nil }
    }

    public var signal: Int32? {
        if case .signalled(let signal) = termination { signal } else { nil }
    }
}
