import Foundation
import GRDB

/// A trained model: its bytes (a blob or a tree) and the train run that produced it.
public struct Model: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_model"

    public var id: Int64?
    public var digest: Digest
    public var runID: Int64
    public var createdAt: Date

    public init(id: Int64? = nil, digest: Digest, runID: Int64, createdAt: Date) {
        self.id = id
        self.digest = digest
        self.runID = runID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, digest
        case runID = "run_id"
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        digest = try row.decode(forColumn: CodingKeys.digest)
        runID = try row.decode(forColumn: CodingKeys.runID)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .model(id!) }
}
