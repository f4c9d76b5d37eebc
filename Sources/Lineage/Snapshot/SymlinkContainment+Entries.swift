import HekatonSupport

extension SymlinkContainment {
    /// The links among a tree's entries; absolute targets are escapes too, as they would
    /// not survive materialization.
    init(entries: [TreeManifest.Entry]) {
        self.init()
        for entry in entries {
            if case .symlink(let target) = entry.kind { add(link: entry.path, target: target) }
        }
    }
}
