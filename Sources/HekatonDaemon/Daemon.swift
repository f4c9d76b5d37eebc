import ControlAPI
import Foundation
import GRDB
import Cluster
import Execution
import Logging
import NIOCore
import Pipeline
import Lineage
import Scheduler
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// hekatond: opens the state directory, serves the control API, and answers systemd.
///
/// Start-up order matters for systemd: `READY=1` is sent only once the database is migrated,
/// the leases of an earlier process are rescued and the socket listens, so that
/// `systemctl start` returns when clients can connect and see the queue as it is.
public struct Daemon: Sendable {
    public var configuration: DaemonConfiguration
    let logger: Logger
    let notifier = SystemdNotifier()
    static let shutdownGracePeriod: Duration = .seconds(10)

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let startedAt = Date()
        notifier.status("locking the state directory")
        let lock = try StateDirectoryLock.acquire(stateDirectory: configuration.stateDirectory)
        notifier.status("opening and checking the database")
        let database = try DaemonDatabase.open(stateDirectory: configuration.stateDirectory)
        let activated = try SystemdNotifier.activatedSocket()
        let queue = JobQueue(writer: database)
        let logDirectory = URL(fileURLWithPath: configuration.stateDirectory + "/logs")
        try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let sdk = configuration.pythonSDK ?? PipelineLayout.locateSDK(executable: CommandLine.arguments[0])
        if sdk == nil { logger.warning("no Python SDK found next to hekatond; set python_sdk to accept submissions") }
        let stateDirectory = configuration.stateDirectory
        // This instance on the machine: its control groups and, as root, its sandbox uids are
        // its own, whatever other daemons run beside it.
        let instance: SandboxInstance
        do {
            instance = try SandboxInstance.establish(stateDirectory: stateDirectory, registry: getuid() == 0 ? .system : nil)
        } catch {
            throw DaemonError(.sandbox, error.message)
        }
        let layout = sdk.map { PipelineLayout(stateDirectory: stateDirectory, sdkDirectory: $0, sandboxUIDs: instance.uids) }
        do {
            try layout?.checkSandboxesCanReach()
        } catch {
            throw DaemonError(.sandbox, error.message)
        }
        let resourceGroups = ResourceGroupParent.forThisProcess(instance: instance.id)
        if resourceGroups.delegated != nil {
            do {
                let leaf = try resourceGroups.moveIntoLeaf()
                logger.info("stages' resource groups go under the delegated subtree", metadata: [
                    "daemon": "\(leaf ?? "")", "stages": "\(resourceGroups.parents.joined(separator: " "))"])
            } catch {
                // Limits fail closed: each stage is refused with this reason unless sandbox_limits is off.
                logger.error("cannot move into a leaf of the delegated control group", metadata: ["error": "\(error)"])
            }
        }
        let stale = resourceGroups.removeAll()
        if !stale.isEmpty {
            logger.info("removed the resource groups an earlier process of this instance left", metadata: ["groups": "\(stale)"])
        }
        let blobs = try BlobStore(root: configuration.stateDirectory + "/blobs")
        let executor: any Executor
        var recordOutputs: WorkerPool.OutputRecorder?
        let clusterJobs = ClusterJobBoard()
        let slurm = SlurmExecutor(configuration: configuration.slurm, board: clusterJobs)
        let local = LocalExecutor(configuration: LocalExecutorConfiguration(maxLogBytes: configuration.maxLogBytes))
        if let layout {
            let jobs = PipelineJobs(PipelineExecutor(local: local, cluster: slurm, defaultExecutor: configuration.executor,
                                                     layout: layout, database: database, blobs: blobs,
                                                     resourceGroups: configuration.sandboxLimits == .required ? resourceGroups : nil),
                                    queue: queue).handlers
            executor = jobs
            // A crash may have come between an artifact's commit and its `latest` link.
            try ArtifactStore(stateDirectory: layout.stateDirectory).reconcile(database)
            recordOutputs = { db, completion in try jobs.record(db, completion) }
        } else {
            executor = configuration.executor == .slurm ? slurm : local
        }
        let workers = WorkerPool(
            queue: queue, executor: executor,
            configuration: WorkerPoolConfiguration(
                maxConcurrentJobs: configuration.maxConcurrentJobs,
                // Cluster jobs take no slot of this host's; they have a limit of their own.
                elsewhereLimits: [ExecutorKind.slurm.rawValue: configuration.slurm.maxJobs],
                queueLimits: QueueLimits(defaultLimit: nil, limits: configuration.queueLimits),
                logDirectory: logDirectory),
            recordOutputs: recordOutputs)
        let logger = self.logger
        let scheduleRunner = ScheduleRunner(
            book: ScheduleBook(queue: queue),
            onEvent: { event in
                logger.info("schedule \(event.kind.rawValue)", metadata: [
                    "schedule": "\(event.scheduleName)", "job": "\(event.jobID.map(String.init) ?? "-")", "detail": "\(event.detail ?? "")"])
                workers.wake()
            },
            onError: { error in logger.error("schedules: \(error)") })
        let context = try DaemonContext(database: database, stateDirectory: configuration.stateDirectory,
                                    socketPath: configuration.socketPath, startedAt: startedAt, logger: logger,
                                    workers: workers, scheduleRunner: scheduleRunner, layout: layout, blobs: blobs,
                                    clusterJobs: clusterJobs)
        let router = DaemonRoutes.router(context)

        // Before anyone is told the daemon is ready: a client must never see a job held by a
        // process that is gone.
        notifier.status("rescuing the jobs an earlier hekatond left running")
        let rescue = try await workers.rescueEarlierLeases()
        let rescued = rescue.requeued.count + rescue.dead.count + rescue.cancelled.count + rescue.adopted.count
        if rescued > 0 {
            logger.info("rescued the jobs an earlier hekatond left running", metadata: [
                "requeued": "\(rescue.requeued)", "dead": "\(rescue.dead)", "cancelled": "\(rescue.cancelled)",
                "reattaching": "\(rescue.adopted.map(\.id))"])
        }
        notifier.status("rescued \(rescued) job\(rescued == 1 ? "" : "s") left running by an earlier hekatond")

        notifier.status("binding the control socket")
        let server = try await ControlServer.bind(
            path: configuration.socketPath, activatedSocket: activated,
            mode: configuration.socketMode, group: configuration.socketGroup,
            settings: .init(maxRequestBodyBytes: configuration.maxRequestBodyBytes,
                            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
                            spoolDirectory: configuration.stateDirectory + "/tmp/uploads"),
            router: router, identity: CallerIdentity(adminGroup: configuration.adminGroup), logger: logger)

        let listening = activated == nil ? configuration.socketPath : "an activated socket"
        logger.info("hekatond \(HekatonVersion.current) ready", metadata: [
            "state_directory": "\(configuration.stateDirectory)", "socket": "\(listening)", "pid": "\(getpid())",
            "executor": "\(configuration.executor.rawValue)",
        ])
        notifier.ready(status: "serving on \(listening)")

        var configuration = self.configuration
        let watchdog = notifier.watchdogInterval().map { interval in
            Task { [notifier] in
                while !Task.isCancelled {
                    notifier.watchdog()
                    try? await Task.sleep(for: interval / 2)
                }
            }
        }
        // The queue's workers and the schedules run beside the server and stop before it
        // finishes: running jobs are stopped and go back to their queue.
        let pruner = JobPruner(queue: queue, retentionSeconds: configuration.jobRetentionSeconds, logger: logger)
        // A failure there (the database, most likely) stops the daemon with an error, so that
        // systemd restarts it and the start-up rescue puts the jobs back.
        let backgroundFailure = Mutex<(any Error)?>(nil)
        let background = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await workers.run() }
                    group.addTask { await scheduleRunner.run() }
                    group.addTask { await pruner.run() }
                    try await group.waitForAll()
                }
            } catch is CancellationError {
            } catch {
                logger.critical("the job workers failed; stopping", metadata: ["error": "\(error)"])
                backgroundFailure.withLock { $0 = error }
                kill(getpid(), SIGTERM)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            signals: for await number in SignalEvents.stream([SIGHUP, SIGTERM, SIGINT]) {
                switch number {
                case SIGHUP:
                    configuration = reload(configuration, server: server)
                default:
                    logger.info("stopping", metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
                    notifier.stopping(status: "stopping: finishing open requests")
                    break signals
                }
            }
            // Jobs stop first (they are requeued), then open connections get a grace
            // period to finish their answers.
            notifier.stopping(status: "stopping: ending running jobs")
            background.cancel()
            await background.value
            server.close()
            group.addTask {
                try await Task.sleep(for: Self.shutdownGracePeriod)
                throw CancellationError()
            }
            do {
                _ = try await group.next()
            } catch is CancellationError {
                logger.warning("open connections did not finish within the grace period; closing them")
            }
            group.cancelAll()
        }
        watchdog?.cancel()
        // The stages have ended and removed their groups; what is left is this instance's parent.
        resourceGroups.removeAll()
        // Everything into hekaton.sqlite3 itself: a stopped daemon's database is one file, so
        // a backup of that file alone is whole. (The last connection to close is a reader,
        // which cannot checkpoint.)
        do {
            try await database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            logger.warning("could not checkpoint the database's write-ahead log; it stays beside the database", metadata: ["error": "\(error)"])
        }
        try database.close()
        if let error = backgroundFailure.withLock({ $0 }) {
            throw DaemonError(.database, "the job workers failed: \(error)")
        }
        withExtendedLifetime(lock) {}
        logger.info("stopped")
    }

    /// Re-reads the configuration file; a bad file is logged and the old configuration stays.
    private func reload(_ current: DaemonConfiguration, server: ControlServer) -> DaemonConfiguration {
        notifier.reloading(status: "reloading the configuration")
        guard let file = current.configurationFile else {
            logger.info("reload: no configuration file; nothing to re-read")
            notifier.ready(status: "serving; reloaded (no configuration file)")
            return current
        }
        var next = current
        do {
            try next.apply(file: file)
        } catch {
            logger.error("reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
            notifier.ready(status: "serving; reload failed: \(error)")
            return current
        }
        if next.stateDirectory != current.stateDirectory || next.socketPath != current.socketPath {
            logger.warning("state_directory and socket take effect only at restart")
            next.stateDirectory = current.stateDirectory
            next.socketPath = current.socketPath
        }
        if next.executor != current.executor || next.slurm != current.slurm {
            logger.warning("executor and slurm take effect only at restart")
            next.executor = current.executor
            next.slurm = current.slurm
        }
        server.updateIdentity(CallerIdentity(adminGroup: next.adminGroup))
        ControlServer.applyOwnership(path: current.socketPath, mode: next.socketMode, group: next.socketGroup, logger: logger)
        DaemonLogLevel.shared.set(next.logLevel)
        logger.info("configuration reloaded", metadata: ["file": "\(file)"])
        notifier.ready(status: "serving; configuration reloaded")
        return next
    }
}
