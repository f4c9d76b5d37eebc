import Foundation

/// What to enqueue: a command, where and when it may run, and how often it may be tried.
public struct JobSpec: Sendable, Hashable {
    /// Which handler runs it and records its ending.
    public var kind: JobKind
    /// The program and its arguments; never empty.
    public var argv: [String]
    /// Added to the executor's base environment, overriding it.
    public var environment: [String: String]
    /// The executor's default when nil.
    public var workingDirectory: String?
    public var queue: String
    /// Higher runs first; equal priorities run in enqueue order.
    public var priority: Int
    /// Not claimed before this time; now when nil.
    public var notBefore: Date?
    public var timeoutSeconds: Double?
    /// Attempts before the job is dead; at least 1.
    public var maxAttempts: Int
    /// Enqueueing a key while a job with it is waiting, queued, running or failed (retry
    /// pending) returns that job instead of adding one.
    public var uniqueKey: String?
    /// Jobs that must succeed first.
    public var dependencies: [Int64]
    public var labels: [String: String]
    /// The schedule that fired it, if any.
    public var scheduleName: String?
    /// Where its output goes; the worker pool's log directory decides when nil.
    public var logPath: String?
    /// The executor that runs it (recorded in `job.executor`); the worker pool's own when nil.
    public var executor: String?
    /// Whose work it is, for fair sharing: among ready jobs of equal priority, each share's
    /// next job takes its turn after the jobs that share already runs. Nil for the host's own
    /// jobs, which go first among their equals.
    public var shareKey: String?

    public static let defaultQueue = "default"
    public static let defaultMaxAttempts = 3

    public init(
        kind: JobKind = .command, argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
        queue: String = JobSpec.defaultQueue, priority: Int = 0, notBefore: Date? = nil, timeoutSeconds: Double? = nil,
        maxAttempts: Int = JobSpec.defaultMaxAttempts, uniqueKey: String? = nil, dependencies: [Int64] = [],
        labels: [String: String] = [:], scheduleName: String? = nil, logPath: String? = nil, executor: String? = nil,
        shareKey: String? = nil
    ) {
        self.kind = kind
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.queue = queue
        self.priority = priority
        self.notBefore = notBefore
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.dependencies = dependencies
        self.labels = labels
        self.scheduleName = scheduleName
        self.logPath = logPath
        self.executor = executor
        self.shareKey = shareKey
    }
}
