import Foundation
import GRDB

/// One row of the `schedule` table: a named cron expression in a time zone, its policies,
/// the command it enqueues, and when it last and next fires. Stored, never only in memory,
/// so a restarted daemon knows what it missed.
public struct Schedule: Codable, Sendable, Hashable, Identifiable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "schedule"

    public var name: String
    public var cron: String
    /// IANA zone name.
    public var timeZone: String
    public var overlap: ScheduleOverlap
    public var catchUp: ScheduleCatchUp
    /// A fire later than this after its time is skipped (the starting deadline).
    public var deadlineSeconds: Double?
    /// Each fire is delayed by a random amount up to this.
    public var jitterSeconds: Double?
    /// The kind of its jobs (`JobSpec.kind`).
    public var kind: JobKind
    public var argv: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var queue: String
    public var priority: Int
    public var timeoutSeconds: Double?
    public var maxAttempts: Int
    public var labels: [String: String]
    /// The executor its jobs name (`JobSpec.executor`); the worker pool's own when nil.
    public var executor: String?
    public var suspended: Bool
    public var lastFireAt: Date?
    /// The kind of the last event, such as `fired` or `skipped-overlap`.
    public var lastOutcome: String?
    public var lastJobID: Int64?
    public var nextFireAt: Date?
    public var createdAt: Date

    public var id: String { name }

    public init(
        name: String, cron: String, timeZone: String, overlap: ScheduleOverlap = .forbid, catchUp: ScheduleCatchUp = .once,
        deadlineSeconds: Double? = nil, jitterSeconds: Double? = nil, kind: JobKind = .command, argv: [String], environment: [String: String] = [:],
        workingDirectory: String? = nil, queue: String = JobSpec.defaultQueue, priority: Int = 0,
        timeoutSeconds: Double? = nil, maxAttempts: Int = JobSpec.defaultMaxAttempts, labels: [String: String] = [:],
        executor: String? = nil, suspended: Bool = false, lastFireAt: Date? = nil, lastOutcome: String? = nil, lastJobID: Int64? = nil,
        nextFireAt: Date? = nil, createdAt: Date
    ) {
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.overlap = overlap
        self.catchUp = catchUp
        self.deadlineSeconds = deadlineSeconds
        self.jitterSeconds = jitterSeconds
        self.kind = kind
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.queue = queue
        self.priority = priority
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.labels = labels
        self.executor = executor
        self.suspended = suspended
        self.lastFireAt = lastFireAt
        self.lastOutcome = lastOutcome
        self.lastJobID = lastJobID
        self.nextFireAt = nextFireAt
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case name, cron, overlap, kind, argv, environment, queue, priority, labels, executor, suspended
        case timeZone = "time_zone"
        case catchUp = "catch_up"
        case deadlineSeconds = "deadline_seconds"
        case jitterSeconds = "jitter_seconds"
        case workingDirectory = "working_directory"
        case timeoutSeconds = "timeout_seconds"
        case maxAttempts = "max_attempts"
        case lastFireAt = "last_fire_at"
        case lastOutcome = "last_outcome"
        case lastJobID = "last_job_id"
        case nextFireAt = "next_fire_at"
        case createdAt = "created_at"
    }
}
