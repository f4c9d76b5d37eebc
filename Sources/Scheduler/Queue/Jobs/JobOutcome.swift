/// How one attempt ended, as a worker reports it to `JobQueue.finish`.
public enum JobOutcome: Sendable, Hashable {
    /// The command ran and ended: a non-zero exit, a signal, a timeout or a cancel are
    /// results too.
    case ran(ExecutionResult)
    /// The executor could not run the command at all.
    case couldNotRun(ExecutionError)
}
