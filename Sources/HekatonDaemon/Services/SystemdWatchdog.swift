import Scheduler
import ServiceLifecycle

/// Pings systemd's watchdog at half the interval it asked for (`WatchdogSec=`). First in the
/// service group, so the last to stop: a daemon that hangs while it shuts down is still caught.
struct SystemdWatchdog: Service, CustomStringConvertible {
    let notifier: SystemdNotifier
    /// Nil when systemd asked for no pings: the service then only waits for the shutdown,
    /// with no timer of its own.
    let interval: Duration?
    var description: String { "systemd watchdog" }

    func run() async throws {
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { [notifier] in
            while !Task.isCancelled {
                notifier.watchdog()
                try? await Timers.sleep(for: interval / 2)
            }
        }
    }
}
