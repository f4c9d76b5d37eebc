import Scheduler

/// The kinds of job the pipeline runs, each with its handler (`PipelineJobs`).
extension JobKind {
    /// A submission's build, train, predict or score stage (`Stage`, in the job's labels).
    public static let stage = JobKind(rawValue: "stage")
    /// `AutomationTask.ingest`.
    public static let ingest = JobKind(rawValue: "ingest")
    /// `AutomationTask.retrain`.
    public static let retrain = JobKind(rawValue: "retrain")
    /// `AutomationTask.artifact`.
    public static let artifact = JobKind(rawValue: "artifact")
}
