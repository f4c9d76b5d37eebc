import Foundation
import GRDB

/// A named collection of data that gets new versions over time (`movielens-25m`).
public struct Dataset: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_dataset"

    public var id: Int64?
    public var name: String
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, name
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        name = try row.decode(forColumn: CodingKeys.name)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Dataset {
    public static func named(_ name: String, _ db: Database) throws -> Dataset? {
        try Dataset.filter(CodingKeys.name == name).fetchOne(db)
    }

    public static func all(_ db: Database) throws -> [Dataset] {
        try Dataset.order(CodingKeys.name).fetchAll(db)
    }

    /// The dataset called `name`, created now if it is new.
    static func findOrCreate(named name: String, at date: Date, _ db: Database) throws -> Dataset {
        try LineageName.validate(name, as: .datasetName)
        if let existing = try named(name, db) { return existing }
        var dataset = Dataset(name: name, createdAt: date)
        try dataset.insert(db)
        return dataset
    }
}
