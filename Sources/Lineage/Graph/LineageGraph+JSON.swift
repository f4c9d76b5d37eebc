import Foundation

extension LineageGraph {
    /// The graph as JSON: nodes with their full rows, and edges from runs to nodes.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let document = Document(
            direction: direction,
            root: root,
            nodes: nodes.map { node in
                let record = records[node]!
                return Document.Node(
                    id: node, kind: node.kind, title: record.title, digest: record.digest,
                    record: Document.RecordRow(record: record), contexts: contexts[node]?.map(\.name))
            },
            edges: edges.map { Document.Edge(run: .run($0.runID), direction: $0.direction, node: $0.node) })
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    private struct Document: Encodable {
        struct Node: Encodable {
            var id: LineageNode
            var kind: LineageNode.Kind
            var title: String
            var digest: Digest?
            var record: RecordRow
            var contexts: [String]?
        }

        struct Edge: Encodable {
            var run: LineageNode
            var direction: LineageEdge.Direction
            var node: LineageNode
        }

        /// The node's database row, with the dataset's name for a dataset version.
        struct RecordRow: Encodable {
            var record: LineageRecord

            func encode(to encoder: any Encoder) throws {
                switch record {
                case .datasetVersion(let version, let dataset):
                    try version.encode(to: encoder)
                    var container = encoder.container(keyedBy: DatasetKey.self)
                    try container.encode(dataset.name, forKey: .datasetName)
                case .codeBundle(let bundle): try bundle.encode(to: encoder)
                case .environment(let environment): try environment.encode(to: encoder)
                case .run(let run): try run.encode(to: encoder)
                case .model(let model): try model.encode(to: encoder)
                case .score(let score): try score.encode(to: encoder)
                case .artifact(let artifact): try artifact.encode(to: encoder)
                }
            }

            private enum DatasetKey: String, CodingKey {
                case datasetName = "dataset_name"
            }
        }

        var direction: Direction
        var root: LineageNode
        var nodes: [Node]
        var edges: [Edge]
    }
}
