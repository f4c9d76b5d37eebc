import ArgumentParser
import ControlClient
#if canImport(Glibc)
import Glibc
#endif

/// `hekatonctl dial-stdio`: what `--host ssh://...` runs on the daemon's machine. It connects
/// to the socket as the user ssh logged in as (so the daemon's peer credentials name that
/// user) and relays bytes between the socket and its standard input and output, as
/// `docker system dial-stdio` does, until the daemon closes the connection.
struct DialStdio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dial-stdio",
        abstract: "Relay standard input and output to the daemon's socket (run by --host ssh:// on the daemon's machine).",
        discussion: "Not for people: `hekatonctl --host ssh://user@host ...` runs it through ssh. Exit 69 when no daemon listens, 77 when the socket refuses this user.",
        shouldDisplay: false)

    @Option(name: .long, help: ArgumentHelp("Path of hekatond's control socket (default: $HEKATON_SOCKET, then the usual places).", valueName: "path"))
    var socket: String?

    func run() throws {
        let located = ControlClient.locate(explicit: socket)
        try reportingFailures(searched: located.searched) {
            // No timeout: a followed log may be quiet for hours.
            let fd = try UnixSocket.connect(path: located.path, timeoutSeconds: 0)
            Glibc.exit(Relay(socket: fd).run())
        }
    }
}

/// Copies standard input to the socket and the socket to standard output, in 64 KiB pieces
/// (nothing is held beyond one piece each way). Standard input's end half-closes the socket;
/// the socket's end ends the relay.
struct Relay {
    let socket: Int32

    func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var inputOpen = true
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if inputOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return 74
            }
            if fds[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if count == 0 { return 0 }
                if count < 0 { if errno == EINTR { continue }; return 74 }
                guard Self.writeAll(1, buffer[0..<count]) else { return 74 }
            }
            if inputOpen, fds.count > 1, fds[1].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    inputOpen = false
                    shutdown(socket, Int32(SHUT_WR))
                } else if !Self.writeAll(socket, buffer[0..<count]) {
                    return 74
                }
            }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
