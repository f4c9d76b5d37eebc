/// Where a job's command runs: the seam between the queue and a machine.
///
/// The local executor spawns a child process; a cluster executor would submit to Slurm
/// (`sbatch`), follow the job by its external id (`squeue`/`sacct`), and cancel it
/// (`scancel`). The worker pool calls `run` once per attempt and records what it returns.
public protocol Executor: Sendable {
    /// Recorded in `job.executor`.
    var name: String { get }

    /// Runs one attempt of `job` to its end and says how it ended.
    ///
    /// A command that exits non-zero, is killed by a signal, times out or is cancelled is
    /// a *result*. Throw `ExecutionError` only when the command could not run at all (a
    /// missing executable, an unwritable log).
    ///
    /// Stopping: the pool asks through `context.stop` (cancel, timeout, shutdown, lease
    /// lost); the executor ends the work and returns, with `stoppedBy` set when the stop
    /// cut the command short. On `.shutdown` an executor whose work outlives the daemon
    /// (a cluster job) may instead throw `ExecutionError.Code.detached`: the job stays
    /// running and after the restart `run` is called again with `context.externalID` set,
    /// to re-attach. The task running `run` is cancelled on shutdown as well; the stop
    /// request is what says why.
    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult
}
