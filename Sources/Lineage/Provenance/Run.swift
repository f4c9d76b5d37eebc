import Foundation
import GRDB

/// One execution: ingesting data, building an environment, training, predicting, scoring
/// or building an artifact. Its inputs and outputs are `LineageEdge`s.
public struct Run: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_run"
    public static let databaseUUIDEncodingStrategy = DatabaseUUIDEncodingStrategy.lowercaseString

    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case ingest, build, train, predict, score, artifact
    }

    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case running, succeeded, failed, cancelled
    }

    public var id: Int64?
    /// Globally unique, for systems outside this database (OpenLineage's `runId`).
    public var uuid: UUID
    public var kind: Kind
    /// The queue's job that executed this run, if any.
    public var jobID: Int64?
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?

    public init(
        id: Int64? = nil, uuid: UUID = UUID(), kind: Kind, jobID: Int64?, status: Status = .running,
        startedAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.uuid = uuid
        self.kind = kind
        self.jobID = jobID
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, uuid, kind, status
        case jobID = "job_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        uuid = try row.decode(forColumn: CodingKeys.uuid)
        kind = try row.decode(forColumn: CodingKeys.kind)
        jobID = try row.decode(forColumn: CodingKeys.jobID)
        status = try row.decode(forColumn: CodingKeys.status)
        startedAt = try row.decode(forColumn: CodingKeys.startedAt)
        finishedAt = try row.decode(forColumn: CodingKeys.finishedAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .run(id!) }
}
