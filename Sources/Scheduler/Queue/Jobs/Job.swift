import Foundation
import GRDB

/// One row of the `job` table: a command, where it is in its life, and how its last
/// attempt went.
///
/// Read-only as a record: every change goes through `JobQueue`, which keeps the state
/// machine, leases and dependencies consistent.
public struct Job: Codable, Sendable, Hashable, Identifiable, FetchableRecord, TableRecord {
    public static let databaseTableName = "job"

    public var id: Int64
    public var queue: String
    /// Higher runs first.
    public var priority: Int
    public var state: JobState
    /// Which handler runs it and records its ending.
    public var kind: JobKind
    /// What runs: for a job of a handler, the command its handler executes.
    public var argv: [String]
    /// Added to the executor's base environment.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Not claimed before this time: the enqueuer's wish, or the next retry.
    public var notBefore: Date
    public var timeoutSeconds: Double?
    public var maxAttempts: Int
    /// Attempts started so far; the running one included.
    public var attempt: Int
    public var uniqueKey: String?
    public var labels: [String: String]
    public var scheduleName: String?
    public var logPath: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var cancelRequested: Bool
    public var exitStatus: Int32?
    public var signal: Int32?
    public var wallSeconds: Double?
    public var userSeconds: Double?
    public var systemSeconds: Double?
    public var peakMemoryBytes: Int64?
    /// Why the last attempt failed or the job ended without success, in words.
    public var error: String?
    /// The executor that runs it: named when it was enqueued, else the one of its first claim.
    public var executor: String?
    /// The executor's own id for the running attempt, such as a Slurm job id.
    public var externalID: String?
    /// Whose work it is, for fair sharing; nil for the host's own jobs.
    public var shareKey: String?

    /// The lease a worker holds while the job runs.
    public var lease: Lease? {
        guard state == .running, let leaseOwner else { return nil }
        return Lease(jobID: id, owner: leaseOwner, attempt: attempt)
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, queue, priority, state, kind, argv, environment, labels, attempt, signal, error, executor
        case workingDirectory = "working_directory"
        case notBefore = "not_before"
        case timeoutSeconds = "timeout_seconds"
        case maxAttempts = "max_attempts"
        case uniqueKey = "unique_key"
        case scheduleName = "schedule_name"
        case logPath = "log_path"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case leaseOwner = "lease_owner"
        case leaseExpiresAt = "lease_expires_at"
        case cancelRequested = "cancel_requested"
        case exitStatus = "exit_status"
        case wallSeconds = "wall_seconds"
        case userSeconds = "user_seconds"
        case systemSeconds = "system_seconds"
        case peakMemoryBytes = "peak_rss_bytes"
        case externalID = "external_id"
        case shareKey = "share_key"
    }

    /// A job as it would be stored; for executors' tests and tools. Jobs come from
    /// `JobQueue`, which alone writes them.
    public init(
        id: Int64, queue: String = JobSpec.defaultQueue, priority: Int = 0, state: JobState = .queued, kind: JobKind = .command,
        argv: [String],
        environment: [String: String] = [:], workingDirectory: String? = nil, notBefore: Date, timeoutSeconds: Double? = nil,
        maxAttempts: Int = JobSpec.defaultMaxAttempts, attempt: Int = 0, uniqueKey: String? = nil,
        labels: [String: String] = [:], scheduleName: String? = nil, logPath: String? = nil, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, leaseOwner: String? = nil, leaseExpiresAt: Date? = nil,
        cancelRequested: Bool = false, exitStatus: Int32? = nil, signal: Int32? = nil, wallSeconds: Double? = nil,
        userSeconds: Double? = nil, systemSeconds: Double? = nil, peakMemoryBytes: Int64? = nil, error: String? = nil,
        executor: String? = nil, externalID: String? = nil, shareKey: String? = nil
    ) {
        self.id = id
        self.queue = queue
        self.priority = priority
        self.state = state
        self.kind = kind
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.notBefore = notBefore
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.attempt = attempt
        self.uniqueKey = uniqueKey
        self.labels = labels
        self.scheduleName = scheduleName
        self.logPath = logPath
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.cancelRequested = cancelRequested
        self.exitStatus = exitStatus
        self.signal = signal
        self.wallSeconds = wallSeconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.error = error
        self.executor = executor
        self.externalID = externalID
        self.shareKey = shareKey
    }

    // Written out rather than decoded through Codable: the JSON and time columns have
    // fast paths, and claiming decodes thousands of rows per second.
    public init(row: Row) throws {
        id = row["id"]
        queue = row["queue"]
        priority = row["priority"]
        state = row["state"]
        kind = row["kind"]
        argv = try JSONColumn.decodeStrings(row["argv"])
        environment = try JSONColumn.decodeMap(row["environment"])
        workingDirectory = row["working_directory"]
        notBefore = try Self.requiredDate(row, "not_before")
        timeoutSeconds = row["timeout_seconds"]
        maxAttempts = row["max_attempts"]
        attempt = row["attempt"]
        uniqueKey = row["unique_key"]
        labels = try JSONColumn.decodeMap(row["labels"])
        scheduleName = row["schedule_name"]
        logPath = row["log_path"]
        createdAt = try Self.requiredDate(row, "created_at")
        startedAt = DatabaseTimestamp.date(row["started_at"])
        finishedAt = DatabaseTimestamp.date(row["finished_at"])
        leaseOwner = row["lease_owner"]
        leaseExpiresAt = DatabaseTimestamp.date(row["lease_expires_at"])
        cancelRequested = row["cancel_requested"]
        exitStatus = row["exit_status"]
        signal = row["signal"]
        wallSeconds = row["wall_seconds"]
        userSeconds = row["user_seconds"]
        systemSeconds = row["system_seconds"]
        peakMemoryBytes = row["peak_rss_bytes"]
        error = row["error"]
        executor = row["executor"]
        externalID = row["external_id"]
        shareKey = row["share_key"]
    }

    private static func requiredDate(_ row: Row, _ column: String) throws -> Date {
        let value: DatabaseValue = row[column]
        guard let date = DatabaseTimestamp.date(value) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "job.\(column) holds \(value), which is not a time")
        }
        return date
    }
}
