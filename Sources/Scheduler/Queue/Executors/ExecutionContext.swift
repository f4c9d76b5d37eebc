import Foundation

/// What an executor gets with a job besides the job itself.
public struct ExecutionContext: Sendable {
    /// Append stdout and stderr here, across attempts.
    public var logURL: URL
    /// The pool's requests to stop early.
    public var stop: ExecutionStop
    /// The job's time limit. The pool enforces it by requesting a `.timeout` stop; an
    /// executor that can also pass it on (Slurm's `--time`) may.
    public var timeout: Duration?
    /// Set when re-attaching, after a daemon restart, to work started under this id.
    public var externalID: String?
    /// What the attempt asks of the machine that runs it (a stage's limits, for the cluster).
    public var resources: ExecutionResources
    /// Records the executor's own id for the attempt (commits it before returning), so a
    /// restarted daemon can re-attach. Call it as soon as the id is known. The second
    /// argument, when given, replaces `job.executor`: an executor that routes a job to another
    /// (a pipeline stage sent to the cluster) names the one that really runs it.
    public var recordExternalID: @Sendable (_ externalID: String, _ executor: String?) async throws -> Void

    public init(
        logURL: URL, stop: ExecutionStop = ExecutionStop(), timeout: Duration? = nil, externalID: String? = nil,
        resources: ExecutionResources = ExecutionResources(),
        recordExternalID: @escaping @Sendable (_ externalID: String, _ executor: String?) async throws -> Void = { _, _ in }
    ) {
        self.logURL = logURL
        self.stop = stop
        self.timeout = timeout
        self.externalID = externalID
        self.resources = resources
        self.recordExternalID = recordExternalID
    }
}
