/// What `JobQueue.enqueue` did: the job, and whether it was already there under the same
/// unique key (nothing was added then).
public struct Enqueued: Sendable, Hashable {
    public var job: Job
    public var isExisting: Bool

    public init(job: Job, isExisting: Bool) {
        self.job = job
        self.isExisting = isExisting
    }
}
