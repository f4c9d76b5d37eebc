import GRDB

/// What a schedule does when it fires while its previous job still runs.
public enum ScheduleOverlap: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Start another job alongside.
    case allow
    /// Skip this fire and record the skip; the default for training.
    case forbid
    /// Cancel the running job, then start the new one.
    case replace
}
