import Lineage

extension PipelineExecutor {
    /// The entries of `tree` at or under `paths`, with the directories that lead to them:
    /// what a stage that runs participant code is shown of the competition directory.
    public static func visible(_ tree: TreeManifest, _ paths: [String]) throws -> TreeManifest {
        var kept: [TreeManifest.Entry] = []
        var parents: Set<String> = []
        for entry in tree.entries where paths.contains(where: { entry.path == $0 || entry.path.hasPrefix($0 + "/") }) {
            kept.append(entry)
            var parent = Substring(entry.path)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                parents.insert(String(parent))
            }
        }
        let listed = Set(kept.map(\.path))
        kept += parents.subtracting(listed).map { TreeManifest.Entry(path: $0, kind: .directory) }
        return try TreeManifest(entries: kept)
    }
}
