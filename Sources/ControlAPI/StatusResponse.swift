/// `GET /v1/status`: what the daemon is and what it holds.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var version: String
    public var pid: Int32
    public var startedAt: String
    public var uptimeSeconds: Double
    public var stateDirectory: String
    public var socketPath: String
    public var databaseBytes: Int64
    /// Hosts: the state directory's disk use by category (database, blobs, images,
    /// environments, artifacts, runs, logs), measured at most a minute ago.
    public var disk: [DiskCategory]?
    /// Jobs by state name (`queued`, `running`, ...); states with no jobs are absent.
    public var jobs: [String: Int]
    public var schedules: Int
    /// Running jobs handed to a cluster, with their cluster ids and states; absent when none.
    public var clusterJobs: [ClusterJobInfo]?
    /// The caller as the daemon sees it through `SO_PEERCRED`.
    public var caller: Caller
    /// The next fires of the schedules, soonest first.
    public var nextRuns: [ScheduledRun] = []
    /// The latest ingestion of each dataset.
    public var ingestions: [IngestionInfo] = []
    public var competitions: [CompetitionDashboard] = []
    /// What needs a person.
    public var attention: [AttentionItem] = []

    public init(version: String, pid: Int32, startedAt: String, uptimeSeconds: Double, stateDirectory: String,
                socketPath: String, databaseBytes: Int64, jobs: [String: Int], schedules: Int,
                clusterJobs: [ClusterJobInfo]? = nil, caller: Caller) {
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.databaseBytes = databaseBytes
        self.jobs = jobs
        self.schedules = schedules
        self.clusterJobs = clusterJobs
        self.caller = caller
    }
}

/// A running job on a cluster, as `status` lists it.
public struct ClusterJobInfo: Codable, Sendable, Equatable {
    public var job: Int64
    public var executor: String
    /// The cluster's id for it (a Slurm job id); absent until the cluster accepted it.
    public var externalID: String?
    public var state: String
    public var detail: String?

    public init(job: Int64, executor: String, externalID: String?, state: String, detail: String?) {
        self.job = job
        self.executor = executor
        self.externalID = externalID
        self.state = state
        self.detail = detail
    }
}

/// Who is calling, from the socket's peer credentials, and what they may do.
public struct Caller: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    public var user: String?
    /// Hosts (root, the daemon's own user, members of the admin group) may do everything.
    public var isAdmin: Bool

    public init(uid: UInt32, gid: UInt32, pid: Int32, user: String?, isAdmin: Bool) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.user = user
        self.isAdmin = isAdmin
    }
}

public struct DiskCategory: Codable, Sendable, Equatable {
    public var name: String
    public var bytes: Int64
    public init(name: String, bytes: Int64) {
        self.name = name
        self.bytes = bytes
    }
}

/// `POST /v1/backup`: where to write the copy (an absolute path that does not exist yet).
public struct BackupRequest: Codable, Sendable, Equatable {
    public var destination: String
    public init(destination: String) { self.destination = destination }
}

/// What a backup holds, verified.
public struct BackupReport: Codable, Sendable, Equatable {
    public var destination: String
    public var databaseBytes: Int64
    public var blobs: Int
    public var blobBytes: Int64
    /// Blobs the copied records reference; every one is in the copy.
    public var referencedBlobs: Int
    public var linkedFiles: Int
    public var copiedFiles: Int
    public var copiedBytes: Int64
    public var submissions: Int
    /// Jobs running when it was taken: a daemon started on the copy rescues them.
    public var runningJobs: Int
    public var seconds: Double

    public init(destination: String, databaseBytes: Int64, blobs: Int, blobBytes: Int64, referencedBlobs: Int, linkedFiles: Int,
                copiedFiles: Int, copiedBytes: Int64, submissions: Int, runningJobs: Int, seconds: Double) {
        self.destination = destination
        self.databaseBytes = databaseBytes
        self.blobs = blobs
        self.blobBytes = blobBytes
        self.referencedBlobs = referencedBlobs
        self.linkedFiles = linkedFiles
        self.copiedFiles = copiedFiles
        self.copiedBytes = copiedBytes
        self.submissions = submissions
        self.runningJobs = runningJobs
        self.seconds = seconds
    }
}
