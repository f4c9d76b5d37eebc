/// How far a scan or an archive has come: files and bytes of file content so far.
public struct BundleProgress: Sendable, Equatable {
    public var files: Int
    public var bytes: Int64

    public init(files: Int = 0, bytes: Int64 = 0) {
        self.files = files
        self.bytes = bytes
    }
}
