import Foundation
import GRDB

/// One thing that happened to a schedule: a fire, a skip, a catch-up, a manual run.
public struct ScheduleEvent: Codable, Sendable, Hashable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "schedule_event"

    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case fired
        /// Overlap `forbid`: the previous job still ran.
        case skippedOverlap = "skipped-overlap"
        /// Overlap `replace`: the previous job was cancelled for this one.
        case replaced
        /// The starting deadline passed before the daemon could fire.
        case missedDeadline = "missed-deadline"
        /// One fire for everything missed while the daemon was down.
        case caughtUp = "caught-up"
        /// `schedule run NAME`.
        case manual
    }

    public var id: Int64?
    public var scheduleName: String
    public var at: Date
    /// The fire time it concerns; nil for manual runs.
    public var scheduledFor: Date?
    public var kind: Kind
    public var jobID: Int64?
    public var detail: String?

    public init(
        id: Int64? = nil, scheduleName: String, at: Date, scheduledFor: Date?, kind: Kind, jobID: Int64? = nil,
        detail: String? = nil
    ) {
        self.id = id
        self.scheduleName = scheduleName
        self.at = at
        self.scheduledFor = scheduledFor
        self.kind = kind
        self.jobID = jobID
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, at, kind, detail
        case scheduleName = "schedule_name"
        case scheduledFor = "scheduled_for"
        case jobID = "job_id"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
