import Foundation
import GRDB

/// An ML Metadata context: a group of nodes and runs. Competitions group everything done
/// for them; a submission (whose parent is its competition) groups one participant's
/// code and what was made from it.
public struct LineageContext: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineage_context"

    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case competition, submission
    }

    public var id: Int64?
    public var kind: Kind
    /// Unique per kind; the pipeline names submissions by their own id.
    public var name: String
    public var parentID: Int64?
    public var createdAt: Date

    public init(id: Int64? = nil, kind: Kind, name: String, parentID: Int64? = nil, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.name = name
        self.parentID = parentID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, name
        case parentID = "parent_id"
        case createdAt = "created_at"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id)
        kind = try row.decode(forColumn: CodingKeys.kind)
        name = try row.decode(forColumn: CodingKeys.name)
        parentID = try row.decode(forColumn: CodingKeys.parentID)
        createdAt = try row.decode(forColumn: CodingKeys.createdAt)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension LineageContext {
    /// The context of this kind and name, recorded now if it is new.
    public static func findOrCreate(
        _ kind: Kind, name: String, parentID: Int64? = nil, at date: Date, _ db: Database
    ) throws -> LineageContext {
        try LineageName.validate(name, as: .contextName)
        if let existing = try LineageContext.filter(CodingKeys.kind == kind && CodingKeys.name == name).fetchOne(db) {
            return existing
        }
        var context = LineageContext(kind: kind, name: name, parentID: parentID, createdAt: date)
        try context.insert(db)
        return context
    }

    /// Adds nodes (runs included) to the context; adding one twice is harmless.
    public func add(_ nodes: [LineageNode], _ db: Database) throws {
        for node in nodes {
            try node.requireExists(db)
            try LineageContextMember(contextID: id!, node: node).insert(db, onConflict: .ignore)
        }
    }

    public func members(_ db: Database) throws -> [LineageNode] {
        try LineageContextMember.filter(LineageContextMember.CodingKeys.contextID == id!).fetchAll(db).map(\.node).sorted()
    }

    /// The contexts `node` belongs to.
    public static func contexts(of node: LineageNode, _ db: Database) throws -> [LineageContext] {
        try LineageContext.fetchAll(db, sql: """
            SELECT c.* FROM lineage_context c
            JOIN lineage_context_member m ON m.context_id = c.id
            WHERE m.node_kind = ? AND m.node_id = ?
            ORDER BY c.id
            """, arguments: [node.kind, node.id])
    }
}
