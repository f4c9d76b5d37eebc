extension LineageGraph {
    /// An indented tree for a terminal, the root first. A node reached a second time is
    /// printed once more with "(see above)" and not expanded again, so shared ancestors do
    /// not multiply the output.
    public func treeText() -> String {
        var lines = ["\(direction.rawValue) of \(label(root))"]
        var shown: Set<LineageNode> = [root]
        // An explicit stack: a chain of retrained models can be deeper than a thread's stack.
        var pending = steps(after: root, prefix: "")
        while let step = pending.popLast() {
            let seen = shown.contains(step.node)
            lines.append(step.prefix + (step.isLast ? "└── " : "├── ") + relation(to: step.node) + " " + label(step.node) + (seen ? "  (see above)" : ""))
            guard !seen else { continue }
            shown.insert(step.node)
            pending += steps(after: step.node, prefix: step.prefix + (step.isLast ? "    " : "│   "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private struct Step {
        var node: LineageNode
        var prefix: String
        var isLast: Bool
    }

    /// Children in reverse, ready to be popped in order.
    private func steps(after node: LineageNode, prefix: String) -> [Step] {
        let children = next(after: node)
        return children.enumerated().reversed().map { index, child in
            Step(node: child, prefix: prefix, isLast: index == children.count - 1)
        }
    }

    private func relation(to node: LineageNode) -> String {
        switch (direction, node.kind == .run) {
        case (.upstream, true): "made by"
        case (.upstream, false): "used"
        case (.downstream, true): "used by"
        case (.downstream, false): "produced"
        }
    }

    private func label(_ node: LineageNode) -> String {
        guard let record = records[node] else { return node.description }
        return record.facts.isEmpty ? record.title : record.title + "  " + record.facts.joined(separator: " · ")
    }
}
