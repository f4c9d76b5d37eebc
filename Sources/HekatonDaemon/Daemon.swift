import ControlAPI
import Foundation
import GRDB
import Cluster
import Execution
import Logging
import Notifications
import NIOCore
import Pipeline
import Lineage
import Scheduler
import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// hekatond: opens the state directory, serves the control API, and answers systemd.
///
/// Start-up order matters for systemd: `READY=1` is sent only once the database is migrated,
/// the leases of an earlier process are rescued and the socket listens, so that
/// `systemctl start` returns when clients can connect and see the queue as it is. Then
/// the daemon's parts run as services in one service group, which stops them in order on
/// `SIGTERM` or `SIGINT`.
public struct Daemon: Sendable {
    public var configuration: DaemonConfiguration
    let logger: Logger
    let notifier = SystemdNotifier()
    /// How long a graceful shutdown may take, counted from the signal (the README's 10 s):
    /// stopping the jobs and finishing open requests; what is still open then is closed.
    static let shutdownGracePeriod: Duration = .seconds(10)
    /// How long nothing must happen before the daemon gives its idle pages back.
    static let quietPeriod: Duration = .seconds(30)

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
        let metrics = DaemonMetrics(database: database, startedAt: startedAt)
        // The pages start-up, requests and jobs touched are given back once nothing has
        // happened for a while (IdlePages says which and why).
        let quiet = QuietRelease(quietPeriod: Self.quietPeriod)
        let workers = WorkerPool(
            queue: queue, executor: executor,
            configuration: WorkerPoolConfiguration(
                maxConcurrentJobs: configuration.maxConcurrentJobs,
                // Cluster jobs take no slot of this host's; they have a limit of their own.
                elsewhereLimits: [ExecutorKind.slurm.rawValue: configuration.slurm.maxJobs],
                queueLimits: QueueLimits(defaultLimit: nil, limits: configuration.queueLimits),
                logDirectory: logDirectory),
            recordOutputs: recordOutputs, didFinish: { metrics.jobsFinished($0) },
            didDrain: { quiet.activity() })
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
                                    clusterJobs: clusterJobs, metrics: metrics,
                                    diskLimits: (configuration.diskSoftLimitBytes, configuration.diskHardLimitBytes))
        // Webhooks, the configuration's and the competitions': a configured secret that cannot
        // be read stops the start, with why.
        let webhooks: WebhookDispatcher
        do {
            webhooks = try WebhookDispatcher(webhooks: configuration.webhooks, database: database, logger: logger,
                                             competitionWebhooks: { db in try CompetitionWebhooks.all(db) })
        } catch {
            throw DaemonError(.configuration, "\(error)")
        }
        context.webhooks = webhooks
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
        var settings = ControlServer.Settings(
            maxRequestBodyBytes: configuration.maxRequestBodyBytes,
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
            spoolDirectory: configuration.stateDirectory + "/tmp/uploads")
        settings.didClose = { quiet.activity() }
        let server = try await ControlServer.bind(
            path: configuration.socketPath, activatedSocket: activated,
            mode: configuration.socketMode, group: configuration.socketGroup,
            settings: settings,
            router: router, identity: CallerIdentity(adminGroup: configuration.adminGroup), logger: logger)

        // The scraper's listener, when configured: an address that cannot be bound stops the start.
        var metricsListener: MetricsListener?
        if let address = configuration.metricsListen {
            do {
                metricsListener = try await MetricsListener.bind(address, metrics: context.metrics,
                                                                 idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)), logger: logger)
            } catch {
                throw DaemonError(.configuration, "cannot listen for metrics on \(address) (metrics.listen): \(error)")
            }
        }

        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let listening = activated == nil ? configuration.socketPath : "an activated socket"
        logger.info("hekatond \(HekatonVersion.current) ready", metadata: [
            "state_directory": "\(configuration.stateDirectory)", "socket": "\(listening)", "pid": "\(getpid())",
            "executor": "\(configuration.executor.rawValue)", "metrics": "\(metricsListener?.address ?? "socket only")",
        ])
        notifier.ready(status: "serving on \(listening)")
        quiet.activity()

        // The services in dependency order; a graceful shutdown stops them in reverse, each
        // once the one after it has ended: the notice, reloads, the schedules and the pruner,
        // then the jobs (they are stopped and go back to their queue), then the server (it
        // stops accepting, and open connections finish their answers), the watchdog last.
        // A failing loop (the database, most likely) shuts the others down the same way and
        // the daemon exits with its error, so that systemd restarts it and the start-up
        // rescue puts the jobs back.
        let pruner = JobPruner(queue: queue, retentionSeconds: configuration.jobRetentionSeconds,
                               retention: RetentionSweep(database: database, stateDirectory: configuration.stateDirectory,
                                                         defaults: configuration.retention),
                               collectGarbage: { try await context.collectGarbage(gracePeriod: .seconds(3600), dryRun: false) },
                               logger: logger)
        let services: [any Service] = [
            SystemdWatchdog(notifier: notifier, interval: notifier.watchdogInterval()),
            server,
            BackgroundLoop("job workers") {
                do {
                    try await workers.run()
                } catch {
                    logger.critical("the job workers failed; stopping", metadata: ["error": "\(error)"])
                    throw DaemonError(.database, "the job workers failed: \(error)")
                }
            },
            BackgroundLoop("job pruner") { await pruner.run() },
            BackgroundLoop("schedules") { await scheduleRunner.run() },
            ConfigurationReload(configuration: configuration, hangups: hangups, server: server,
                                notifier: notifier, logger: logger, disk: context.diskUsage),
            ShutdownNotice(notifier: notifier, logger: logger),
            webhooks,
        ] + (metricsListener.map { [$0] } ?? [])
        var group = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .cancelGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = Self.shutdownGracePeriod
        let failure: (any Error)?
        do {
            try await ServiceGroup(configuration: group).run()
            failure = nil
        } catch {
            failure = error
        }
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
        if let failure { throw failure }
        withExtendedLifetime(lock) {}
        logger.info("stopped")
    }
}
