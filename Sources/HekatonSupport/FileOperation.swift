/// A system call on an open file, in the words an error message uses after "cannot".
public struct FileOperation: Sendable, Equatable {
    /// "read", "set the permissions of": what was attempted, before the file's path.
    public let words: String
    /// Whether the call changes the file: callers tell a file they cannot read from one they cannot write.
    public let changesFile: Bool

    public init(_ words: String, changesFile: Bool) {
        self.words = words
        self.changesFile = changesFile
    }

    public static let open = FileOperation("open", changesFile: false)
    public static let inspect = FileOperation("inspect", changesFile: false)
    public static let read = FileOperation("read", changesFile: false)
    public static let seek = FileOperation("seek in", changesFile: false)
    public static let write = FileOperation("write", changesFile: true)
    public static let sync = FileOperation("sync", changesFile: true)
    public static let setPermissions = FileOperation("set the permissions of", changesFile: true)
}
