import GRDB

/// An ML Metadata event: a run used a node (input) or produced it (output).
public struct LineageEdge: Codable, Sendable, Hashable, Comparable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "lineage_edge"

    public enum Direction: String, Codable, Sendable, DatabaseValueConvertible {
        case input, output
    }

    public var runID: Int64
    public var direction: Direction
    public var nodeKind: LineageNode.Kind
    public var nodeID: Int64

    public init(runID: Int64, direction: Direction, node: LineageNode) {
        self.runID = runID
        self.direction = direction
        nodeKind = node.kind
        nodeID = node.id
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case direction
        case runID = "run_id"
        case nodeKind = "node_kind"
        case nodeID = "node_id"
    }

    /// Decoded by hand: graph queries decode hundreds of rows, and Codable decoding is
    /// several times slower.
    public init(row: Row) throws {
        runID = try row.decode(forColumn: CodingKeys.runID)
        direction = try row.decode(forColumn: CodingKeys.direction)
        nodeKind = try row.decode(forColumn: CodingKeys.nodeKind)
        nodeID = try row.decode(forColumn: CodingKeys.nodeID)
    }

    public var node: LineageNode { LineageNode(kind: nodeKind, id: nodeID) }

    public static func < (lhs: LineageEdge, rhs: LineageEdge) -> Bool {
        (lhs.runID, lhs.direction.rawValue, lhs.node) < (rhs.runID, rhs.direction.rawValue, rhs.node)
    }
}
