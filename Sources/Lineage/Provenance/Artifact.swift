import Foundation
import GRDB

/// A production artifact built from a model (a serving bundle, batch recommendations).
public struct Artifact: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_artifact"

    public var id: Int64?
    /// What the host's artifact entrypoint produces, such as `serving-bundle`.
    public var kind: String
    public var digest: Digest
    public var runID: Int64
    public var createdAt: Date

    public init(id: Int64? = nil, kind: String, digest: Digest, runID: Int64, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.digest = digest
        self.runID = runID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, digest
        case runID = "run_id"
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        kind = try row.decode(forColumn: CodingKeys.kind)
        digest = try row.decode(forColumn: CodingKeys.digest)
        runID = try row.decode(forColumn: CodingKeys.runID)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .artifact(id!) }
}
