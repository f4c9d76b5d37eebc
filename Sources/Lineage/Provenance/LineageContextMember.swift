import GRDB

/// Membership of a node or run in a context (ML Metadata's attribution and association).
public struct LineageContextMember: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "lineage_context_member"

    public var contextID: Int64
    public var nodeKind: LineageNode.Kind
    public var nodeID: Int64

    public init(contextID: Int64, node: LineageNode) {
        self.contextID = contextID
        nodeKind = node.kind
        nodeID = node.id
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case contextID = "context_id"
        case nodeKind = "node_kind"
        case nodeID = "node_id"
    }

    public var node: LineageNode { LineageNode(kind: nodeKind, id: nodeID) }
}
