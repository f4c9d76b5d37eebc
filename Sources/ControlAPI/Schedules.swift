/// `POST /v1/schedules`: a named cron schedule that enqueues a command.
public struct ScheduleAddRequest: Codable, Sendable, Equatable {
    public var name: String
    public var cron: String
    /// IANA zone; the daemon's zone when absent.
    public var timeZone: String?
    /// allow, forbid or replace
    public var overlap: String?
    /// none or once
    public var catchUp: String?
    /// A fire later than this after its time is skipped (starting deadline).
    public var deadlineSeconds: Double?
    public var jitterSeconds: Double?
    public var argv: [String]
    public var queue: String?
    public var timeoutSeconds: Double?
    public var maxAttempts: Int?

    public init(name: String, cron: String, timeZone: String? = nil, overlap: String? = nil, catchUp: String? = nil,
                deadlineSeconds: Double? = nil, jitterSeconds: Double? = nil, argv: [String], queue: String? = nil,
                timeoutSeconds: Double? = nil, maxAttempts: Int? = nil) {
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.overlap = overlap
        self.catchUp = catchUp
        self.deadlineSeconds = deadlineSeconds
        self.jitterSeconds = jitterSeconds
        self.argv = argv
        self.queue = queue
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
    }
}

public struct ScheduleInfo: Codable, Sendable, Equatable {
    public var name: String
    public var cron: String
    public var timeZone: String
    public var overlap: String
    public var catchUp: String
    public var deadlineSeconds: Double?
    public var jitterSeconds: Double?
    public var argv: [String]
    public var queue: String
    public var suspended: Bool
    public var nextFireAt: String?
    public var lastFireAt: String?
    public var lastOutcome: String?
    public var lastJobID: Int64?
    public var createdAt: String
    /// Most recent first; only in `GET /v1/schedules/{name}`.
    public var events: [ScheduleEventInfo]?

    public init(name: String, cron: String, timeZone: String, overlap: String, catchUp: String, deadlineSeconds: Double?,
                jitterSeconds: Double?, argv: [String], queue: String, suspended: Bool, nextFireAt: String?, lastFireAt: String?,
                lastOutcome: String?, lastJobID: Int64?, createdAt: String, events: [ScheduleEventInfo]? = nil) {
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.overlap = overlap
        self.catchUp = catchUp
        self.deadlineSeconds = deadlineSeconds
        self.jitterSeconds = jitterSeconds
        self.argv = argv
        self.queue = queue
        self.suspended = suspended
        self.nextFireAt = nextFireAt
        self.lastFireAt = lastFireAt
        self.lastOutcome = lastOutcome
        self.lastJobID = lastJobID
        self.createdAt = createdAt
        self.events = events
    }
}

/// One thing that happened to a schedule: a fire, a skip, a catch-up, a manual run.
public struct ScheduleEventInfo: Codable, Sendable, Equatable {
    public var at: String
    /// The fire time it concerns (absent for manual runs).
    public var scheduledFor: String?
    /// fired, skipped-overlap, replaced, missed-deadline, caught-up, manual
    public var kind: String
    public var jobID: Int64?
    public var detail: String?

    public init(at: String, scheduledFor: String?, kind: String, jobID: Int64?, detail: String?) {
        self.at = at
        self.scheduledFor = scheduledFor
        self.kind = kind
        self.jobID = jobID
        self.detail = detail
    }
}

public struct ScheduleList: Codable, Sendable, Equatable {
    public var schedules: [ScheduleInfo]
    public init(schedules: [ScheduleInfo]) { self.schedules = schedules }
}
