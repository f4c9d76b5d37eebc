import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's side of systemd's notify protocol (`sd_notify(3)`).
///
/// Without `$NOTIFY_SOCKET` every call is a no-op, so the daemon behaves the same under
/// systemd, under a test that owns the socket, and in a terminal.
public struct SystemdNotifier: Sendable {
    public init() {}

    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }
    public func watchdog() { send("WATCHDOG=1") }

    /// `RELOADING=1` must carry the monotonic time so that systemd can match the later `READY=1`.
    public func reloading(status: String) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=\(status)")
    }

    /// The watchdog interval systemd asked for (`WatchdogSec=`), if any; ping at half of it.
    public func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// A listening socket handed over by socket activation (`LISTEN_PID`/`LISTEN_FDS`), if any.
    public static func activatedSocket() throws(DaemonError) -> Int32? {
        let count = sd_listen_fds(1)
        if count < 0 {
            throw DaemonError(.socket, "socket activation failed: \(String(cString: strerror(-count)))")
        }
        guard count > 0 else { return nil }
        if count > 1 {
            throw DaemonError(.socket, "socket activation passed \(count) sockets; hekatond serves exactly one (check ListenStream= in hekatond.socket)")
        }
        let fd = SD_LISTEN_FDS_START
        guard sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 else {
            throw DaemonError(.socket, "the activated socket is not a listening Unix stream socket")
        }
        return fd
    }
}
