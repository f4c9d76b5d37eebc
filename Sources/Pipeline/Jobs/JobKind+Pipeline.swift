import Scheduler

/// The kinds of job the pipeline runs, each with its handler (`PipelineJobs`).
extension JobKind {
    /// A submission's build, train, predict or score stage (`Stage`, in the job's labels).
    public static let stage = JobKind(rawValue: "stage")
    public static let ingest = AutomationTask.ingest.kind
    public static let retrain = AutomationTask.retrain.kind
    public static let artifact = AutomationTask.artifact.kind
}
