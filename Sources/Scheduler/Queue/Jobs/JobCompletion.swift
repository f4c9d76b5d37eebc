import Foundation

/// A finished attempt as the queue recorded it: which job, the state it moved to, and the
/// outcome that moved it there, with what the job was (for those who count attempts by kind).
public struct JobCompletion: Sendable, Hashable {
    public var lease: Lease
    public var state: JobState
    public var outcome: JobOutcome
    /// The job's kind and labels, as claimed; `.command` and none when not known.
    public var kind: JobKind
    public var labels: [String: String]
    /// The schedule that fired the job, and when its attempt started (nil when it never did).
    public var scheduleName: String?
    public var startedAt: Date?

    public var jobID: Int64 { lease.jobID }

    public init(lease: Lease, state: JobState, outcome: JobOutcome, kind: JobKind = .command, labels: [String: String] = [:],
                scheduleName: String? = nil, startedAt: Date? = nil) {
        self.lease = lease
        self.state = state
        self.outcome = outcome
        self.kind = kind
        self.labels = labels
        self.scheduleName = scheduleName
        self.startedAt = startedAt
    }

    init(_ job: Job, lease: Lease, state: JobState, outcome: JobOutcome) {
        self.init(lease: lease, state: state, outcome: outcome, kind: job.kind, labels: job.labels,
                  scheduleName: job.scheduleName, startedAt: job.startedAt)
    }
}
