import Foundation
import GRDB

/// A participant's submitted code (their `Trainer` and `Predictor`), as a tree in the blob store.
public struct CodeBundle: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_code_bundle"

    public var id: Int64?
    /// The root digest of the code's `TreeManifest`.
    public var digest: Digest
    /// Who submitted it (the user name the daemon learned from the socket).
    public var submitter: String
    public var createdAt: Date

    public init(id: Int64? = nil, digest: Digest, submitter: String, createdAt: Date) {
        self.id = id
        self.digest = digest
        self.submitter = submitter
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, digest, submitter
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        digest = try row.decode(forColumn: CodingKeys.digest)
        submitter = try row.decode(forColumn: CodingKeys.submitter)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var node: LineageNode { .codeBundle(id!) }
}

extension CodeBundle {
    /// The bundle with this digest from this submitter, recorded now if it is new: the
    /// same code submitted twice is one node, so its runs share an ancestor.
    public static func findOrCreate(digest: Digest, submitter: String, at date: Date, _ db: Database) throws -> CodeBundle {
        if let existing = try CodeBundle.filter(CodingKeys.digest == digest && CodingKeys.submitter == submitter).fetchOne(db) {
            return existing
        }
        var bundle = CodeBundle(digest: digest, submitter: submitter, createdAt: date)
        try bundle.insert(db)
        return bundle
    }
}
