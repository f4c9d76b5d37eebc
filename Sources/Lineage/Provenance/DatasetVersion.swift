import Foundation
import GRDB

/// One immutable content of a dataset: a tree in the blob store under a human tag.
public struct DatasetVersion: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_dataset_version"

    public var id: Int64?
    public var datasetID: Int64
    public var tag: String
    /// The root digest of the version's `TreeManifest`.
    public var rootDigest: Digest
    public var size: Int64
    public var fileCount: Int
    /// Where the data came from, as the registering user gave it (a path, a URL).
    public var source: String
    public var createdAt: Date
    /// When retention let the version's data go (`retention.dataset_versions`): the record
    /// and its digests stay, the blobs are no longer kept by gc; nil: the data is kept.
    public var dataPrunedAt: Date?

    public init(
        id: Int64? = nil, datasetID: Int64, tag: String, rootDigest: Digest, size: Int64,
        fileCount: Int, source: String, createdAt: Date, dataPrunedAt: Date? = nil
    ) {
        self.id = id
        self.datasetID = datasetID
        self.tag = tag
        self.rootDigest = rootDigest
        self.size = size
        self.fileCount = fileCount
        self.source = source
        self.createdAt = createdAt
        self.dataPrunedAt = dataPrunedAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, tag, size, source
        case datasetID = "dataset_id"
        case rootDigest = "root_digest"
        case fileCount = "file_count"
        case createdAt = "created_at"
        case dataPrunedAt = "data_pruned_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        datasetID = try row.decode(forColumn: CodingKeys.datasetID)
        tag = try row.decode(forColumn: CodingKeys.tag)
        rootDigest = try row.decode(forColumn: CodingKeys.rootDigest)
        size = try row.decode(forColumn: CodingKeys.size)
        fileCount = try row.decode(forColumn: CodingKeys.fileCount)
        source = try row.decode(forColumn: CodingKeys.source)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
        // Rows selected without the column (older queries) read as kept.
        dataPrunedAt = row.hasColumn(CodingKeys.dataPrunedAt.rawValue) ? try row.decode(forColumn: CodingKeys.dataPrunedAt) : nil
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The graph node of a saved version.
    public var node: LineageNode { .datasetVersion(id!) }
}

extension DatasetVersion {
    /// Records `manifest` as the next version of the dataset `name`, creating the dataset
    /// on first use. Without a tag the version is tagged `v1`, `v2`, … The same content as
    /// the latest version creates nothing and returns `.unchanged`. A tag the dataset
    /// already has is a `.conflict`. Call inside the caller's write transaction: concurrent
    /// registrations then serialize, and each gets a distinct tag or a clear conflict.
    public static func register(
        dataset name: String, tag: String? = nil, manifest: TreeManifest, source: String,
        at date: Date, _ db: Database
    ) throws -> DatasetRegistration {
        if let tag { try LineageName.validate(tag, as: .tag) }
        let dataset = try Dataset.findOrCreate(named: name, at: date, db)
        let datasetID = dataset.id!

        if let latest = try latest(ofDatasetID: datasetID, db), latest.rootDigest == manifest.rootDigest {
            return .unchanged(latest)
        }
        let resolvedTag = try tag ?? nextAutomaticTag(datasetID: datasetID, db)
        if let taken = try find(datasetID: datasetID, tag: resolvedTag, db) {
            throw LineageError(.conflict, "dataset '\(name)' already has a version tagged '\(resolvedTag)' (\(taken.rootDigest.short)); choose another tag or omit --tag")
        }
        var version = DatasetVersion(
            datasetID: datasetID, tag: resolvedTag, rootDigest: manifest.rootDigest, size: manifest.totalSize,
            fileCount: manifest.fileCount, source: source, createdAt: date)
        try version.insert(db)
        return .created(version)
    }

    /// The version of dataset `name` tagged `tag`, or its latest version when `tag` is nil.
    public static func find(dataset name: String, tag: String?, _ db: Database) throws -> DatasetVersion? {
        guard let dataset = try Dataset.named(name, db) else { return nil }
        if let tag { return try find(datasetID: dataset.id!, tag: tag, db) }
        return try latest(ofDatasetID: dataset.id!, db)
    }

    /// Every version of dataset `name`, oldest first.
    public static func versions(of name: String, _ db: Database) throws -> [DatasetVersion] {
        guard let dataset = try Dataset.named(name, db) else { return [] }
        return try DatasetVersion.filter(CodingKeys.datasetID == dataset.id!).order(CodingKeys.id).fetchAll(db)
    }

    private static func find(datasetID: Int64, tag: String, _ db: Database) throws -> DatasetVersion? {
        try DatasetVersion.filter(CodingKeys.datasetID == datasetID && CodingKeys.tag == tag).fetchOne(db)
    }

    private static func latest(ofDatasetID datasetID: Int64, _ db: Database) throws -> DatasetVersion? {
        try DatasetVersion.filter(CodingKeys.datasetID == datasetID).order(CodingKeys.id.desc).fetchOne(db)
    }

    private static func nextAutomaticTag(datasetID: Int64, _ db: Database) throws -> String {
        var number = try DatasetVersion.filter(CodingKeys.datasetID == datasetID).fetchCount(db) + 1
        while try find(datasetID: datasetID, tag: "v\(number)", db) != nil { number += 1 }
        return "v\(number)"
    }
}
