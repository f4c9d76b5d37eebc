import Foundation
import GRDB

/// Something a person might act on, written in the same transaction as the change it
/// reports (a transactional outbox): an event exists exactly when its change committed, and
/// readers and notifications take them in order from the table.
public struct Event: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "event"

    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case submissionScored = "submission.scored"
        case submissionFailed = "submission.failed"
        case roundDecided = "round.decided"
        case productionPromoted = "production.promoted"
        case productionRolledBack = "production.rolled-back"
        case ingestionNewVersion = "ingestion.new-version"
        case ingestionUnchanged = "ingestion.unchanged"
        case ingestionFailed = "ingestion.failed"
        case artifactBuilt = "artifact.built"
        case artifactFailed = "artifact.failed"
        case jobDead = "job.dead"
        case scheduleMissed = "schedule.missed"
        case diskSoftLimit = "disk.soft-limit"
        /// Sent by `hekatonctl webhook test`, never stored.
        case webhookTest = "webhook.test"
    }

    public var id: Int64?
    public var at: Date
    public var kind: Kind
    public var competition: String?
    /// The participant the event is about (their submission): they see it; nil for the
    /// hosts' own (rounds, ingestion, artifacts, jobs, schedules).
    public var participantUID: UInt32?
    /// One readable sentence.
    public var message: String
    /// Ids and figures for scripts, as strings: `submission`, `job`, `score`, `round`, ...
    public var data: [String: String]

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, at, kind, competition, message, data
        case participantUID = "participant_uid"
    }

    public init(at: Date, kind: Kind, competition: String?, participantUID: UInt32? = nil, message: String, data: [String: String] = [:]) {
        self.at = at
        self.kind = kind
        self.competition = competition
        self.participantUID = participantUID
        self.message = message
        self.data = data
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Writes an event in the caller's transaction.
    public static func record(_ db: Database, _ kind: Kind, competition: String?, participantUID: UInt32? = nil,
                              message: String, data: [String: String] = [:], at: Date = Date()) throws {
        var event = Event(at: at, kind: kind, competition: competition, participantUID: participantUID, message: message, data: data)
        try event.insert(db)
    }

    /// Events after `id`, oldest first: all of them for a host (`participantUID` nil), a
    /// participant's own otherwise; of one competition, of some kinds, at or after a time.
    public static func after(_ id: Int64, participantUID: UInt32?, competition: String? = nil, kinds: Set<Kind>? = nil,
                             since: Date? = nil, limit: Int, _ db: Database) throws -> [Event] {
        var request = Event.filter(Column("id") > id)
        if let participantUID { request = request.filter(Column("participant_uid") == Int64(participantUID)) }
        if let competition { request = request.filter(Column("competition") == competition) }
        if let kinds { request = request.filter(kinds.map(\.rawValue).contains(Column("kind"))) }
        if let since { request = request.filter(Column("at") >= since) }
        return try request.order(Column("id")).limit(limit).fetchAll(db)
    }
}
