/// What capturing a tree did: the manifest, and what it cost.
public struct SnapshotReport: Sendable, Hashable {
    public var manifest: TreeManifest
    /// Bytes of file content read (each file once to hash it; a second read only for
    /// content the store did not have).
    public var bytesRead: Int64
    /// Bytes written into the blob store, manifest included. Near zero when the same data
    /// is registered again.
    public var bytesWritten: Int64
    /// Blobs that were new to the store, manifest included.
    public var blobsWritten: Int

    public var rootDigest: Digest { manifest.rootDigest }

    public init(manifest: TreeManifest, bytesRead: Int64, bytesWritten: Int64, blobsWritten: Int) {
        self.manifest = manifest
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.blobsWritten = blobsWritten
    }
}
