/// A worker's claim on one attempt of a job. Completions and heartbeats name the lease, so
/// a worker that lost its lease (rescued after a restart, expired) can never record an
/// outcome over the attempt that replaced it.
public struct Lease: Sendable, Hashable, Codable {
    public var jobID: Int64
    public var owner: String
    public var attempt: Int

    public init(jobID: Int64, owner: String, attempt: Int) {
        self.jobID = jobID
        self.owner = owner
        self.attempt = attempt
    }
}
