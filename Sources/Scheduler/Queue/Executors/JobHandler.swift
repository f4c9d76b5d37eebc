import GRDB

/// One kind of job, end to end: how an attempt runs, and what the job's ending records in
/// the transaction that finishes it. `JobHandlers` finds the handler by `job.kind`.
///
/// What `run` made travels to `record` in memory, typed, with the attempt's result. Work
/// that outlives the daemon (a cluster job) is re-attached after a restart by calling `run`
/// again, which makes its output anew; a job that ended without a recorded attempt (rescued
/// dead, or whose outputs failed to record) reaches `record` with no output.
public protocol JobHandler: Sendable {
    associatedtype Output: Sendable

    var kind: JobKind { get }

    /// Runs one attempt, as `Executor.run` does, and says what it made (nil when nothing).
    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<Output>

    /// Records the job's ending inside the transaction that finishes it: every attempt that
    /// succeeded, and every ending, failed or cancelled. Throwing rolls back what it wrote
    /// and fails the attempt instead.
    func record(_ db: Database, _ completion: JobCompletion, job: Job, output: Output?) throws
}

/// An attempt's end as its handler saw it: how it ended, and what it made.
public struct HandledAttempt<Output: Sendable>: Sendable {
    public var result: ExecutionResult
    public var output: Output?

    public init(_ result: ExecutionResult, output: Output? = nil) {
        self.result = result
        self.output = output
    }
}
