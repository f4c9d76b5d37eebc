import Scheduler

/// Runs plain commands where they belong: on the cluster when the job names it (or is
/// re-attached there), else on this host.
struct CommandRouter: Executor {
    let pipeline: PipelineExecutor

    /// Jobs that name no executor of their own run where the daemon's `executor:` says.
    var name: String { pipeline.defaultExecutor.rawValue }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        PipelineExecutor.onCluster(job, context)
            ? try await pipeline.cluster.run(job, context: context) : try await pipeline.local.run(job, context: context)
    }
}
