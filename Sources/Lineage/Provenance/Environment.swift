import Foundation
import GRDB

/// A participant's environment (for Python, a virtual environment from their requirements),
/// identified by the digest of its definition: built once per distinct definition.
public struct Environment: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_environment"

    public var id: Int64?
    /// The digest of the environment's definition (requirements and base), not of the build.
    public var digest: Digest
    public var createdAt: Date
    /// The manifest digest of the environment's container image (image mode); nil for a
    /// virtual environment.
    public var imageDigest: Digest?

    public init(id: Int64? = nil, digest: Digest, createdAt: Date, imageDigest: Digest? = nil) {
        self.id = id
        self.digest = digest
        self.createdAt = createdAt
        self.imageDigest = imageDigest
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, digest
        case createdAt = "created_at"
        case imageDigest = "image_digest"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        digest = try row.decode(forColumn: CodingKeys.digest)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
        imageDigest = try row.decode(forColumn: CodingKeys.imageDigest)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .environment(id!) }
}

extension Environment {
    /// The environment with this definition digest, recorded now if it is new.
    /// An image digest given is recorded on an environment that has none yet.
    public static func findOrCreate(digest: Digest, at date: Date, imageDigest: Digest? = nil, _ db: Database) throws -> Environment {
        if var existing = try Environment.filter(CodingKeys.digest == digest).fetchOne(db) {
            if existing.imageDigest == nil, let imageDigest {
                existing.imageDigest = imageDigest
                try existing.update(db)
            }
            return existing
        }
        var environment = Environment(digest: digest, createdAt: date, imageDigest: imageDigest)
        try environment.insert(db)
        return environment
    }
}
