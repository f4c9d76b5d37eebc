import Foundation
import GRDB

/// A competition a host closed by hand before its `closes_at` (or without one).
public struct CompetitionClosure: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "competition_closure"

    public var competition: String
    public var closedAt: Date
    public var closedBy: UInt32

    enum CodingKeys: String, CodingKey {
        case competition
        case closedAt = "closed_at"
        case closedBy = "closed_by"
    }

    public static func find(_ competition: String, _ db: Database) throws -> CompetitionClosure? {
        try CompetitionClosure.fetchOne(db, key: competition)
    }

    /// Where `version`'s competition stands at `now`.
    public static func phase(of version: CompetitionVersion, now: Date, _ db: Database) throws -> CompetitionPhase {
        CompetitionPhase(version.manifest, closedByHand: try find(version.competition, db)?.closedAt, now: now)
    }

    /// Closes `competition` now, unless it is closed already (by hand or by its calendar):
    /// then nothing changes. Returns the phase after.
    public static func close(_ version: CompetitionVersion, by uid: UInt32, now: Date, _ db: Database) throws -> CompetitionPhase {
        let phase = try phase(of: version, now: now, db)
        if case .closed = phase { return phase }
        try CompetitionClosure(competition: version.competition, closedAt: now, closedBy: uid).insert(db)
        return try Self.phase(of: version, now: now, db)
    }
}
