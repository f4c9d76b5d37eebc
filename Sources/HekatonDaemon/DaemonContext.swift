import Cluster
import ControlAPI
import Foundation
import GRDB
import Lineage
import Logging
import Notifications
import Pipeline
import Scheduler
import Synchronization

/// What route handlers share: the database, the configuration in force, the start time.
public final class DaemonContext: Sendable {
    public let database: DatabasePool
    public let stateDirectory: String
    public let socketPath: String
    public let startedAt: Date
    public let logger: Logger
    public let queue: JobQueue
    public let schedules: ScheduleBook
    /// Absent in tests that only need the routes.
    public let workers: WorkerPool?
    public let scheduleRunner: ScheduleRunner?
    public let blobs: BlobStore
    /// Nil when the Python SDK could not be found: competitions can be published, not entered.
    public let intake: SubmissionIntake?
    /// The Slurm state of the jobs handed to the cluster, as last seen.
    public let clusterJobs: ClusterJobBoard
    /// The state directory's disk use, measured on demand and kept for a minute.
    let diskUsage: DiskUsage
    /// The Prometheus metrics of this process (`GET /metrics`).
    let metrics: DaemonMetrics
    /// The webhooks' dispatcher, when the configuration has webhooks; set once at start.
    var webhooks: WebhookDispatcher? {
        get { webhookDispatcher.withLock { $0 } }
        set { webhookDispatcher.withLock { $0 = newValue } }
    }
    private let webhookDispatcher = Mutex<WebhookDispatcher?>(nil)

    public init(database: DatabasePool, stateDirectory: String, socketPath: String, startedAt: Date, logger: Logger,
                workers: WorkerPool? = nil, scheduleRunner: ScheduleRunner? = nil, layout: PipelineLayout? = nil,
                blobs: BlobStore? = nil, clusterJobs: ClusterJobBoard = ClusterJobBoard(), metrics: DaemonMetrics? = nil,
                diskLimits: (soft: Int64?, hard: Int64?) = (nil, nil)) throws {
        self.clusterJobs = clusterJobs
        self.metrics = metrics ?? DaemonMetrics(database: database, startedAt: startedAt)
        self.diskUsage = DiskUsage(stateDirectory: stateDirectory, limits: .init(soft: diskLimits.soft, hard: diskLimits.hard))
        self.database = database
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.startedAt = startedAt
        self.logger = logger
        self.queue = workers?.queue ?? JobQueue(writer: database)
        self.schedules = scheduleRunner?.book ?? ScheduleBook(queue: queue)
        self.workers = workers
        self.scheduleRunner = scheduleRunner
        // Scratch space for uploads and templates; what a crash left there is stale.
        let scratch = stateDirectory + "/tmp"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let blobs = try blobs ?? BlobStore(root: stateDirectory + "/blobs")
        self.blobs = blobs
        self.intake = layout.map { SubmissionIntake(queue: workers?.queue ?? JobQueue(writer: database), blobs: blobs, layout: $0) }
    }

    func status(for caller: Caller) async throws -> StatusResponse {
        // The disk use first (kept for a minute, measured on the blocking pool when older); then
        // everything else in one read, so that a status call is one trip to the database.
        let disk = caller.isAdmin ? try await measureDisk().bytes.map { DiskCategory(name: $0.name, bytes: $0.bytes) } : nil
        let now = queue.clock.now()
        let (stateDirectory, socketPath, startedAt, clusterJobs) = (stateDirectory, socketPath, startedAt, clusterJobs)
        return try await database.read { db in
            var jobs: [String: Int] = [:]
            if try db.tableExists("job") {
                for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
                    jobs[row["state"]] = row["n"]
                }
            }
            let schedules = try db.tableExists("schedule") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM schedule") ?? 0 : 0
            let running = try db.tableExists("job") ? try Int64.fetchAll(db, sql: "SELECT id FROM job WHERE state = 'running' ORDER BY id") : []
            let onCluster = running.compactMap { id in
                clusterJobs.entry(for: id).map {
                    ClusterJobInfo(job: id, executor: $0.executor, externalID: $0.externalID, state: $0.state, detail: $0.detail)
                }
            }
            var status = StatusResponse(
                version: HekatonVersion.current,
                pid: getpid(),
                startedAt: startedAt.formatted(.iso8601),
                uptimeSeconds: Date().timeIntervalSince(startedAt),
                stateDirectory: stateDirectory,
                socketPath: socketPath,
                databaseBytes: DaemonDatabase.sizeOnDisk(stateDirectory: stateDirectory),
                jobs: jobs,
                schedules: schedules,
                clusterJobs: onCluster.isEmpty || !caller.isAdmin ? nil : onCluster,
                caller: caller
            )
            // The dashboard (ingestion errors, what needs a host, the cluster) is the hosts';
            // a participant's status is the daemon's health and the queue's depth.
            guard caller.isAdmin else { return status }
            status.disk = disk
            try AutomationMapping.dashboard(into: &status, stateDirectory: stateDirectory, now: now, db)
            return status
        }
    }
}

extension DaemonContext {
    /// The disk use (kept for a minute), with the soft limit's event the first time it is over.
    func measureDisk() async throws -> DiskUsage.Measurement {
        let measured = try await diskUsage.current()
        if let warning = diskUsage.softWarning(measured) {
            let total = measured.total
            try await database.write { db in
                try Event.record(db, .diskSoftLimit, competition: nil, message: warning, data: ["bytes": "\(total)"])
            }
        }
        return measured
    }

    /// Refuses a new submission when the state directory is at its hard limit: 507, and the
    /// daemon goes on serving everything else.
    func checkDiskForSubmission() async throws {
        _ = try await measureDisk()
        if let refusal = try await diskUsage.refusal() {
            throw Problem(title: "Out of disk", status: 507, detail: refusal)
        }
    }
}

