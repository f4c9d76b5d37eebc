/// One file, directory or symbolic link of a bundle.
public struct BundleEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
    }

    /// Relative to the bundle's root, `/`-separated, without a trailing slash.
    public var path: String
    public var kind: Kind
    /// The owner's execute bit, the only permission a bundle keeps: files become 0755 or
    /// 0644. Always true for directories, which become 0755.
    public var isExecutable: Bool
    /// Bytes of a file's content; 0 for directories and links.
    public var size: Int64

    public init(path: String, kind: Kind, isExecutable: Bool = false, size: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.isExecutable = isExecutable
        self.size = size
    }
}
