import Logging
import ServiceLifecycle

/// Last in the service group, so the first to hear of a graceful shutdown (a signal, or a
/// service that failed): it tells the log and systemd that the daemon is stopping before the
/// other services stop in turn.
struct ShutdownNotice: Service, CustomStringConvertible {
    let notifier: SystemdNotifier
    let logger: Logger
    var description: String { "shutdown notice" }

    func run() async throws {
        // Cancelled instead: the group is being torn down without a graceful shutdown.
        guard (try? await gracefulShutdown()) != nil else { return }
        logger.info("stopping")
        notifier.stopping(status: "stopping: finishing open requests")
        notifier.stopping(status: "stopping: ending running jobs")
    }
}
