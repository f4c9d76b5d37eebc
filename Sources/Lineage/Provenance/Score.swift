import Foundation
import GRDB

/// One metric of one model, measured on one dataset version by a score run.
public struct Score: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_score"

    public var id: Int64?
    public var metric: String
    public var value: Double
    public var modelID: Int64
    public var datasetVersionID: Int64
    public var runID: Int64
    public var createdAt: Date

    public init(
        id: Int64? = nil, metric: String, value: Double, modelID: Int64, datasetVersionID: Int64,
        runID: Int64, createdAt: Date
    ) {
        self.id = id
        self.metric = metric
        self.value = value
        self.modelID = modelID
        self.datasetVersionID = datasetVersionID
        self.runID = runID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, metric, value
        case modelID = "model_id"
        case datasetVersionID = "dataset_version_id"
        case runID = "run_id"
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        metric = try row.decode(forColumn: CodingKeys.metric)
        value = try row.decode(forColumn: CodingKeys.value)
        modelID = try row.decode(forColumn: CodingKeys.modelID)
        datasetVersionID = try row.decode(forColumn: CodingKeys.datasetVersionID)
        runID = try row.decode(forColumn: CodingKeys.runID)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .score(id!) }
}
