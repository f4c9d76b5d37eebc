/// The formats `hekatonctl lineage --format` offers.
public enum LineageExportFormat: String, Sendable, Codable, CaseIterable {
    /// Indented text for a terminal.
    case tree
    /// Nodes with their rows, and edges.
    case json
    /// Graphviz source.
    case dot
    /// OpenLineage run events, one JSON object per line.
    case openlineage
}

extension LineageGraph {
    public func render(_ format: LineageExportFormat, openLineage options: OpenLineageOptions) throws -> String {
        switch format {
        case .tree: treeText()
        case .json: try jsonText()
        case .dot: dotText()
        case .openlineage: try openLineageText(options)
        }
    }
}
