import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration file on `SIGHUP`, until the daemon stops. A service group
/// delivers no reload itself; this one does, with systemd's `RELOADING=1` then `READY=1`.
struct ConfigurationReload: Service, CustomStringConvertible {
    let configuration: DaemonConfiguration
    /// Trapped before the daemon says it is ready, so that an early `systemctl reload`
    /// cannot end the process with the signal's default action.
    let hangups: UnixSignalsSequence
    let server: ControlServer
    let notifier: SystemdNotifier
    let logger: Logger
    /// Takes the disk limits of a reloaded file.
    let disk: DiskUsage
    var description: String { "configuration reload" }

    func run() async throws {
        var current = configuration
        for await _ in hangups.cancelOnGracefulShutdown() {
            current = reload(current)
        }
    }

    /// A bad file is logged and the old configuration stays.
    private func reload(_ current: DaemonConfiguration) -> DaemonConfiguration {
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
        disk.limits.withLock { $0 = DiskUsage.Limits(soft: next.diskSoftLimitBytes, hard: next.diskHardLimitBytes) }
        logger.info("configuration reloaded", metadata: ["file": "\(file)"])
        notifier.ready(status: "serving; configuration reloaded")
        return next
    }
}
