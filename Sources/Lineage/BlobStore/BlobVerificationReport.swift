/// What `BlobStore.verify` found: `hekatonctl fsck` prints it.
public struct BlobVerificationReport: Sendable, Hashable, Codable {
    public var checkedBlobs: Int
    public var checkedBytes: Int64
    /// Blobs whose content no longer hashes to their name.
    public var corrupted: [Digest]
    /// Digests the caller references that have no blob.
    public var missing: [Digest]
    /// Files under `sha256/` whose names are not digests, or sit in the wrong fan-out directory.
    public var strayFiles: [String]

    public var isHealthy: Bool { corrupted.isEmpty && missing.isEmpty && strayFiles.isEmpty }

    public init(checkedBlobs: Int, checkedBytes: Int64, corrupted: [Digest], missing: [Digest], strayFiles: [String]) {
        self.checkedBlobs = checkedBlobs
        self.checkedBytes = checkedBytes
        self.corrupted = corrupted
        self.missing = missing
        self.strayFiles = strayFiles
    }
}
