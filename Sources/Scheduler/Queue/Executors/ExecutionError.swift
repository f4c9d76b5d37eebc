/// Why an executor could not run a job's command at all.
public struct ExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The program is not there, or not in PATH.
        case executableNotFound
        /// The program is there but may not be executed.
        case notExecutable
        case workingDirectoryNotFound
        /// The log file could not be opened.
        case logUnavailable
        /// Starting the process failed for another reason.
        case spawnFailed
        /// Re-attaching to work by its external id failed: this executor cannot, or the work is gone.
        case cannotReattach
        /// The work's end could not be observed (something else reaped the child, the cluster forgot the job).
        case lost
        /// The worker pool could not record the attempt's outputs in the same transaction.
        case outputsNotRecorded
        /// The cluster refused the work as asked (sbatch rejected its partition or limits) or
        /// ended it on purpose (an administrator's scancel): the same request cannot succeed.
        case rejected
        /// The job cannot run as things stand (a competition without a production model, a
        /// sandbox whose limits cannot be set): trying again cannot help until someone acts.
        case refused
        /// Not a failure: the work keeps running outside the daemon, which re-attaches after a restart.
        case detached
    }

    public let code: Code
    public let message: String

    public var description: String { message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Trying again cannot help: the command itself is wrong, so the job is dead at once
    /// rather than retried with backoff.
    public var isPermanent: Bool {
        switch code {
        case .executableNotFound, .notExecutable, .workingDirectoryNotFound, .rejected, .refused: true
        case .logUnavailable, .spawnFailed, .cannotReattach, .lost, .outputsNotRecorded, .detached: false
        }
    }
}
