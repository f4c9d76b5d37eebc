/// What a bundle holds: every entry of a directory that the ignore rules keep, in
/// byte order of their paths (so parents come before their children, and the same tree
/// always lists the same way).
public struct BundleListing: Sendable, Equatable {
    /// The directory the paths are relative to.
    public var root: String
    public var entries: [BundleEntry]

    public init(root: String, entries: [BundleEntry]) {
        self.root = root
        self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Bytes of all files' contents.
    public var totalBytes: Int64 { entries.reduce(0) { $0 + $1.size } }

    public var fileCount: Int { entries.count { $0.kind == .file } }

    /// The `count` largest files, largest first (ties in path order).
    public func largestFiles(_ count: Int) -> [BundleEntry] {
        Array(entries.filter { $0.kind == .file }
            .sorted { $0.size != $1.size ? $0.size > $1.size : $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            .prefix(count))
    }
}
