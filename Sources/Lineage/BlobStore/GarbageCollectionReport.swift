/// What `BlobStore.garbageCollect` removed, or would remove in a dry run.
public struct GarbageCollectionReport: Sendable, Hashable, Codable {
    public var dryRun: Bool
    /// Unreferenced blobs older than the grace period.
    public var removedBlobs: [Digest]
    public var removedBlobBytes: Int64
    /// Unreferenced blobs kept because they are younger than the grace period: a writer may
    /// be about to reference them.
    public var keptYoungBlobs: Int
    /// Leftovers of interrupted writes older than the grace period.
    public var removedTemporaryFiles: Int
    public var removedTemporaryBytes: Int64
    /// Temporary files younger than the grace period: a running writer may own them.
    public var keptTemporaryFiles: Int

    public init(
        dryRun: Bool, removedBlobs: [Digest] = [], removedBlobBytes: Int64 = 0, keptYoungBlobs: Int = 0,
        removedTemporaryFiles: Int = 0, removedTemporaryBytes: Int64 = 0, keptTemporaryFiles: Int = 0
    ) {
        self.dryRun = dryRun
        self.removedBlobs = removedBlobs
        self.removedBlobBytes = removedBlobBytes
        self.keptYoungBlobs = keptYoungBlobs
        self.removedTemporaryFiles = removedTemporaryFiles
        self.removedTemporaryBytes = removedTemporaryBytes
        self.keptTemporaryFiles = keptTemporaryFiles
    }
}
