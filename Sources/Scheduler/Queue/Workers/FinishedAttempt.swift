/// An attempt whose executor returned, waiting for the pool to record it.
struct FinishedAttempt: Sendable {
    var lease: Lease
    /// The job as it was claimed.
    var job: Job
    /// Nil when the executor detached: the work goes on outside the daemon, nothing to record.
    var outcome: JobOutcome?
}
