import Foundation
import GRDB
import Lineage

/// One published, content-addressed version of a competition directory.
public struct CompetitionVersion: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "competition_version"

    public var id: Int64?
    public var competition: String
    public var tag: String
    public var rootDigest: String
    /// The parsed manifest, as JSON.
    public var manifest: CompetitionManifest
    public var source: String
    public var publishedBy: UInt32
    public var createdAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, competition, tag, manifest, source
        case rootDigest = "root_digest"
        case publishedBy = "published_by"
        case createdAt = "created_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public static func latest(of competition: String, _ db: Database) throws -> CompetitionVersion? {
        try CompetitionVersion.filter(CodingKeys.competition == competition).order(CodingKeys.id.desc).fetchOne(db)
    }

    public static func all(of competition: String, _ db: Database) throws -> [CompetitionVersion] {
        try CompetitionVersion.filter(CodingKeys.competition == competition).order(CodingKeys.id).fetchAll(db)
    }

    /// The latest version of every competition, by name.
    public static func latestOfEach(_ db: Database) throws -> [CompetitionVersion] {
        try CompetitionVersion.fetchAll(db, sql: """
            SELECT * FROM competition_version WHERE id IN (SELECT MAX(id) FROM competition_version GROUP BY competition)
            ORDER BY competition
            """)
    }
}
