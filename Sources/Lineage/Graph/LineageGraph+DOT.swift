import Foundation
import HekatonSupport

extension LineageGraph {
    /// Graphviz source (`| dot -Tsvg`). Data flows left to right whatever the query's
    /// direction: inputs point into their run, a run points to its outputs. Each kind has
    /// its own shape and colour; runs are coloured by status; the root has a heavy border.
    public func dotText() -> String {
        var lines = [
            "digraph lineage {",
            "  graph [rankdir=LR, bgcolor=\"white\", pad=0.3, nodesep=0.3, ranksep=0.7, fontname=\"Helvetica\", fontsize=14, labelloc=t, label=\(Self.quoted("\(direction.rawValue.capitalized) of \(records[root]?.title ?? root.description)"))];",
            "  node [fontname=\"Helvetica\", fontsize=11, style=\"filled\", penwidth=1.2, margin=\"0.15,0.08\"];",
            "  edge [color=\"#6b7280\", arrowsize=0.7, penwidth=1.1];",
        ]
        for node in nodes {
            guard let record = records[node] else { continue }
            let style = Self.style(for: record)
            var attributes = [
                "shape=\(style.shape)",
                "fillcolor=\"\(style.fill)\"",
                "color=\"\(style.border)\"",
                "label=<\(Self.htmlLabel(record))>",
            ]
            if style.rounded { attributes.append("style=\"filled,rounded\"") }
            if node == root { attributes.append("penwidth=3") }
            lines.append("  \(Self.quoted(node.description)) [\(attributes.joined(separator: ", "))];")
        }
        for edge in edges {
            let run = Self.quoted(LineageNode.run(edge.runID).description)
            let node = Self.quoted(edge.node.description)
            lines.append(edge.direction == .input ? "  \(node) -> \(run);" : "  \(run) -> \(node);")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private struct Style {
        var shape: String
        var fill: String
        var border: String
        var rounded = false
    }

    private static func style(for record: LineageRecord) -> Style {
        switch record {
        case .datasetVersion: Style(shape: "cylinder", fill: "#dbeafe", border: "#1d4ed8")
        case .codeBundle: Style(shape: "component", fill: "#ede9fe", border: "#6d28d9")
        case .environment: Style(shape: "tab", fill: "#fef3c7", border: "#b45309")
        case .model: Style(shape: "box3d", fill: "#ffedd5", border: "#c2410c")
        case .score: Style(shape: "note", fill: "#fef9c3", border: "#a16207")
        case .artifact: Style(shape: "folder", fill: "#fce7f3", border: "#be185d")
        case .run(let run):
            switch run.status {
            case .succeeded: Style(shape: "box", fill: "#dcfce7", border: "#15803d", rounded: true)
            case .failed: Style(shape: "box", fill: "#fee2e2", border: "#b91c1c", rounded: true)
            case .running: Style(shape: "box", fill: "#e0f2fe", border: "#0369a1", rounded: true)
            case .cancelled: Style(shape: "box", fill: "#f3f4f6", border: "#6b7280", rounded: true)
            }
        }
    }

    /// Title in bold; beneath it, small and grey, the first fact (a digest, a status) and
    /// then the others on one line.
    private static func htmlLabel(_ record: LineageRecord) -> String {
        var label = "<b>\(HTMLText.escaped(record.title))</b>"
        let lines = [record.facts.first, record.facts.count > 1 ? record.facts.dropFirst().joined(separator: " · ") : nil]
        for case let line? in lines {
            label += "<br/><font point-size=\"9\" color=\"#4b5563\">\(HTMLText.escaped(line))</font>"
        }
        return label
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
