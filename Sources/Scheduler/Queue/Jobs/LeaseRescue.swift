/// What `JobQueue.rescueLeases` and `expireLeases` did with the running jobs whose worker
/// is gone.
public struct LeaseRescue: Sendable, Hashable {
    /// Back in the queue; the interrupted attempt counts.
    public var requeued: [Int64] = []
    /// The interrupted attempt was their last.
    public var dead: [Int64] = []
    /// A cancel had been requested; it is honoured now.
    public var cancelled: [Int64] = []
    /// Running under an executor's external id (a cluster job, say), which may still be
    /// running there: the lease moved to the rescuer, which re-attaches to it.
    public var adopted: [Job] = []

    public init() {}

    public var isEmpty: Bool { requeued.isEmpty && dead.isEmpty && cancelled.isEmpty && adopted.isEmpty }
}
