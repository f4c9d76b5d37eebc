/// A finished attempt as the queue recorded it: which job, the state it moved to, and the
/// outcome that moved it there.
public struct JobCompletion: Sendable, Hashable {
    public var lease: Lease
    public var state: JobState
    public var outcome: JobOutcome

    public var jobID: Int64 { lease.jobID }

    public init(lease: Lease, state: JobState, outcome: JobOutcome) {
        self.lease = lease
        self.state = state
        self.outcome = outcome
    }
}
