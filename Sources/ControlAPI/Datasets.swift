/// `POST /v1/datasets/{name}/versions`: snapshot a directory or file into a new version.
public struct DatasetRegisterRequest: Codable, Sendable, Equatable {
    /// Absolute path, read by the daemon.
    public var path: String
    public var tag: String?

    public init(path: String, tag: String?) {
        self.path = path
        self.tag = tag
    }
}

public struct DatasetVersionInfo: Codable, Sendable, Equatable {
    public var dataset: String
    public var tag: String
    public var rootDigest: String
    public var size: Int64
    public var fileCount: Int
    /// Where the host registered it from; hosts only.
    public var source: String?
    public var createdAt: String
    /// False when the content equals the latest version's and nothing was recorded.
    public var created: Bool?
    /// When retention pruned the version's data (`retention.dataset_versions`): its record
    /// and digests stay, its bytes are gone from the blob store; absent while they are kept.
    public var dataPrunedAt: String?

    public init(dataset: String, tag: String, rootDigest: String, size: Int64, fileCount: Int, source: String?,
                createdAt: String, created: Bool? = nil, dataPrunedAt: String? = nil) {
        self.dataset = dataset
        self.tag = tag
        self.rootDigest = rootDigest
        self.size = size
        self.fileCount = fileCount
        self.source = source
        self.createdAt = createdAt
        self.created = created
        self.dataPrunedAt = dataPrunedAt
    }
}

/// One line of the streamed answer to a registration: progress, then the result or a problem.
public struct RegistrationEvent: Codable, Sendable, Equatable {
    public var progress: ProgressInfo?
    public var result: DatasetVersionInfo?
    public var problem: Problem?

    public init(progress: ProgressInfo? = nil, result: DatasetVersionInfo? = nil, problem: Problem? = nil) {
        self.progress = progress
        self.result = result
        self.problem = problem
    }
}

public struct ProgressInfo: Codable, Sendable, Equatable {
    public var bytesDone: Int64
    public var bytesTotal: Int64
    public var filesDone: Int
    public var filesTotal: Int

    public init(bytesDone: Int64, bytesTotal: Int64, filesDone: Int, filesTotal: Int) {
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.filesDone = filesDone
        self.filesTotal = filesTotal
    }
}

public struct DatasetSummary: Codable, Sendable, Equatable {
    public var name: String
    public var versions: Int
    public var latest: DatasetVersionInfo?

    public init(name: String, versions: Int, latest: DatasetVersionInfo?) {
        self.name = name
        self.versions = versions
        self.latest = latest
    }
}

public struct DatasetList: Codable, Sendable, Equatable {
    public var datasets: [DatasetSummary]
    public init(datasets: [DatasetSummary]) { self.datasets = datasets }
}

public struct DatasetDetail: Codable, Sendable, Equatable {
    public var name: String
    /// Oldest first; one version when a tag was asked for.
    public var versions: [DatasetVersionInfo]
    public init(name: String, versions: [DatasetVersionInfo]) {
        self.name = name
        self.versions = versions
    }
}

/// `POST /v1/fsck`: every blob re-hashed against its name, and every blob the records
/// reference looked for.
public struct FsckReport: Codable, Sendable, Equatable {
    /// A blob that is damaged or missing: where it is (or should be) and what needs it.
    public struct Blob: Codable, Sendable, Equatable {
        public var digest: String
        public var path: String
        /// The record that keeps it ("file train/a.csv of dataset demo@v1"); nil when no record does.
        public var usedBy: String?

        public init(digest: String, path: String, usedBy: String?) {
            self.digest = digest
            self.path = path
            self.usedBy = usedBy
        }
    }

    public var checkedBlobs: Int
    public var checkedBytes: Int64
    /// Distinct blobs the records reference, the files of trees included.
    public var referencedBlobs: Int
    /// Blobs whose bytes no longer hash to their name.
    public var corrupted: [Blob]
    /// Blobs the records reference that are not in the store.
    public var missing: [Blob]
    /// Files under `blobs/sha256/` that are not blobs.
    public var strayFiles: [String]
    /// Dataset versions (`NAME@TAG`) whose data retention pruned: their blobs are not looked
    /// for, and their absence is no damage. Absent from older daemons' reports.
    public var prunedDatasetVersions: [String]?
    public var healthy: Bool

    public init(checkedBlobs: Int, checkedBytes: Int64, referencedBlobs: Int, corrupted: [Blob], missing: [Blob], strayFiles: [String],
                prunedDatasetVersions: [String]? = nil) {
        self.checkedBlobs = checkedBlobs
        self.checkedBytes = checkedBytes
        self.referencedBlobs = referencedBlobs
        self.corrupted = corrupted
        self.missing = missing
        self.strayFiles = strayFiles
        self.prunedDatasetVersions = prunedDatasetVersions
        self.healthy = corrupted.isEmpty && missing.isEmpty && strayFiles.isEmpty
    }
}

/// `POST /v1/gc`: blobs nothing references, older than the grace period, removed.
public struct GCReport: Codable, Sendable, Equatable {
    public var dryRun: Bool
    public var removedBlobs: [String]
    public var removedBytes: Int64
    public var keptYoungBlobs: Int
    public var removedTemporaryFiles: Int
    public var keptTemporaryFiles: Int

    public init(dryRun: Bool, removedBlobs: [String], removedBytes: Int64, keptYoungBlobs: Int, removedTemporaryFiles: Int,
                keptTemporaryFiles: Int) {
        self.dryRun = dryRun
        self.removedBlobs = removedBlobs
        self.removedBytes = removedBytes
        self.keptYoungBlobs = keptYoungBlobs
        self.removedTemporaryFiles = removedTemporaryFiles
        self.keptTemporaryFiles = keptTemporaryFiles
    }
}
