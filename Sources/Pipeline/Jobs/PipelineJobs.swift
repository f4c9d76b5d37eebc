import Scheduler

/// The daemon's jobs and their handlers: a submission's stages, the automation loop's
/// ingestion, retraining and artifact, and plain commands. A new kind of job is one more
/// handler here.
public struct PipelineJobs: Sendable {
    /// The worker pool's executor; its `record` is the pool's `OutputRecorder`.
    public let handlers: JobHandlers

    public init(_ pipeline: PipelineExecutor, queue: JobQueue) {
        let rounds = RetrainRounds(queue: queue, layout: pipeline.layout, blobs: pipeline.blobs)
        handlers = JobHandlers(commands: CommandRouter(pipeline: pipeline), handlers: [
            StageJob(pipeline: pipeline, rounds: rounds),
            IngestJob(pipeline: pipeline, rounds: rounds),
            RetrainJob(rounds: rounds),
            ArtifactJob(pipeline: pipeline),
        ])
    }
}
