/// `POST /v1/jobs`: a command for the durable queue (hosts only: it runs as the daemon's user).
public struct JobSubmitRequest: Codable, Sendable, Equatable {
    public var argv: [String]
    public var environment: [String: String]?
    public var workingDirectory: String?
    public var queue: String?
    public var priority: Int?
    public var timeoutSeconds: Double?
    public var maxAttempts: Int?
    public var uniqueKey: String?
    /// Jobs that must succeed first.
    public var after: [Int64]?
    public var labels: [String: String]?
    /// RFC 3339; the job waits until then.
    public var notBefore: String?

    public init(argv: [String], environment: [String: String]? = nil, workingDirectory: String? = nil, queue: String? = nil,
                priority: Int? = nil, timeoutSeconds: Double? = nil, maxAttempts: Int? = nil, uniqueKey: String? = nil,
                after: [Int64]? = nil, labels: [String: String]? = nil, notBefore: String? = nil) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.queue = queue
        self.priority = priority
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.after = after
        self.labels = labels
        self.notBefore = notBefore
    }
}

/// A job as the API shows it.
public struct JobInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var queue: String
    public var priority: Int
    /// waiting, queued, running, succeeded, failed, dead, cancelled, upstream-failed
    public var state: String
    public var argv: [String]
    public var workingDirectory: String?
    public var attempt: Int
    public var maxAttempts: Int
    public var timeoutSeconds: Double?
    public var uniqueKey: String?
    public var labels: [String: String]
    public var dependsOn: [Int64]
    public var schedule: String?
    public var createdAt: String
    public var notBefore: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var exitStatus: Int?
    public var signal: Int?
    public var wallSeconds: Double?
    public var userSeconds: Double?
    public var systemSeconds: Double?
    public var peakMemoryBytes: Int64?
    public var error: String?
    public var executor: String?
    /// The executor's own id, such as a Slurm job id.
    public var externalID: String?
    /// For a job handed to the cluster: Slurm's state as last seen (`PENDING (Priority)`,
    /// `RUNNING`, `COMPLETED`), or `UNREACHABLE` while the controller does not answer.
    public var clusterState: String?
    /// Why the cluster state needs explaining, in a sentence (the controller is out of reach).
    public var clusterDetail: String?
    /// True when `POST /v1/jobs` found a waiting or running job with the same unique key.
    public var existing: Bool?
    /// Whose fair share the job takes its turns in (`participant:NAME`); nil for the host's jobs.
    public var share: String?

    public init(id: Int64, queue: String, priority: Int, state: String, argv: [String], workingDirectory: String?, attempt: Int,
                maxAttempts: Int, timeoutSeconds: Double?, uniqueKey: String?, labels: [String: String], dependsOn: [Int64],
                schedule: String?, createdAt: String, notBefore: String?, startedAt: String?, finishedAt: String?,
                exitStatus: Int?, signal: Int?, wallSeconds: Double?, userSeconds: Double?, systemSeconds: Double?,
                peakMemoryBytes: Int64?, error: String?, executor: String?, externalID: String?,
                clusterState: String? = nil, clusterDetail: String? = nil, existing: Bool? = nil, share: String? = nil) {
        self.id = id
        self.queue = queue
        self.priority = priority
        self.state = state
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.timeoutSeconds = timeoutSeconds
        self.uniqueKey = uniqueKey
        self.labels = labels
        self.dependsOn = dependsOn
        self.schedule = schedule
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitStatus = exitStatus
        self.signal = signal
        self.wallSeconds = wallSeconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.error = error
        self.executor = executor
        self.externalID = externalID
        self.clusterState = clusterState
        self.clusterDetail = clusterDetail
        self.existing = existing
        self.share = share
    }
}

public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [JobInfo]
    public init(jobs: [JobInfo]) { self.jobs = jobs }
}
