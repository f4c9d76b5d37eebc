/// What storing one piece of content did.
public struct StoredBlob: Sendable, Hashable {
    public var digest: Digest
    public var size: Int64
    /// Bytes written to disk for this call, zero when the content was already stored and
    /// found without copying it.
    public var bytesWritten: Int64
    /// True when a blob with this digest existed before, so nothing new was kept.
    public var wasPresent: Bool

    public init(digest: Digest, size: Int64, bytesWritten: Int64, wasPresent: Bool) {
        self.digest = digest
        self.size = size
        self.bytesWritten = bytesWritten
        self.wasPresent = wasPresent
    }
}
