#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#elseif canImport(Glibc)
import Foundation
import Glibc
#else
import Darwin
import Foundation
#endif

/// A daemon on another machine, reached through OpenSSH as Docker's and Podman's `ssh://`
/// contexts do: `ssh://[user@]host[:port][/path/of/the/socket]`.
///
/// `ssh` runs `hekatonctl dial-stdio` on the remote machine as that user, which connects to
/// the daemon's socket there and relays the connection's bytes: the daemon's peer
/// credentials name the remote user, so the same access rules hold. Authentication, host
/// keys and options are ssh's own (`~/.ssh/config`); `HEKATON_SSH_COMMAND` replaces the
/// `ssh` command (split on spaces, as `ssh -F file`), `HEKATON_REMOTE_HEKATONCTL` names the
/// remote program (default: `hekatonctl` on the remote PATH).
public struct SSHTarget: Sendable, Equatable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: Int?
    /// The socket on the remote machine; nil: where the remote hekatonctl looks by default.
    public var socketPath: String?

    /// Parses the URL; nil with why when it is not one this can use.
    public static func parse(_ text: String) -> Result<SSHTarget, ControlClientError> {
        func bad(_ why: String) -> Result<SSHTarget, ControlClientError> {
            .failure(ControlClientError(.io, "'\(text.prefix(200))' is not an ssh:// address to reach a daemon: \(why); write it like ssh://ada@build-01 or ssh://ada@build-01:2222/run/hekaton/hekatond.sock"))
        }
        guard text.hasPrefix("ssh://") else { return bad("it does not start with ssh://") }
        var rest = Substring(text.dropFirst("ssh://".count))
        var target = SSHTarget(user: nil, host: "", port: nil, socketPath: nil)
        if let slash = rest.firstIndex(of: "/") {
            target.socketPath = String(rest[slash...])
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at]
            guard !user.isEmpty, user.count <= 32, user.first.map({ $0.isLetter || $0 == "_" }) == true,
                  user.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                return bad("the user is not a user name")
            }
            target.user = String(user)
            rest = rest[rest.index(after: at)...]
        }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return bad("an IPv6 address is not closed with ]") }
            target.host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard target.host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return bad("the IPv6 address is not one") }
        } else {
            let end = rest.lastIndex(of: ":") ?? rest.endIndex
            target.host = String(rest[..<end])
            rest = rest[end...]
            guard target.host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                return bad("the host is not a host name or address")
            }
        }
        guard !target.host.isEmpty, target.host.count <= 253, !target.host.hasPrefix("-") else { return bad("there is no host") }
        if !rest.isEmpty {
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port), rest.count <= 6 else {
                return bad("the port is not one from 1 to 65535")
            }
            target.port = port
        }
        if let path = target.socketPath {
            guard path.count <= 4096, !path.contains("\0"), path != "/" else { return bad("the socket path is not one") }
            if path.count > 1, path.hasSuffix("/") { return bad("the socket path ends with /") }
        }
        return .success(target)
    }

    public var description: String {
        "ssh://" + (user.map { $0 + "@" } ?? "") + (host.contains(":") ? "[\(host)]" : host) + (port.map { ":\($0)" } ?? "") + (socketPath ?? "")
    }

    /// The ssh command line that runs the relay on the remote machine.
    public func command(environment: [String: String]) -> [String] {
        var argv = (environment["HEKATON_SSH_COMMAND"].map { $0.split(separator: " ").map(String.init) }).flatMap { $0.isEmpty ? nil : $0 } ?? ["ssh"]
        argv += ["-T", "-o", "ConnectTimeout=30"]
        if let port { argv += ["-p", "\(port)"] }
        if let user { argv += ["-l", user] }
        let program = environment["HEKATON_REMOTE_HEKATONCTL"].flatMap { $0.isEmpty ? nil : $0 } ?? "hekatonctl"
        // The remote shell reads the command: every word quoted.
        let remote = [program, "dial-stdio"] + (socketPath.map { ["--socket", $0] } ?? [])
        argv += ["--", host, remote.map(Self.quoted).joined(separator: " ")]
        return argv
    }

    /// A word for a POSIX shell, in single quotes.
    static func quoted(_ word: String) -> String {
        "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// A byte stream to the remote daemon: one end of a socket pair, whose other end is the
    /// standard input and output of `ssh` running the relay. The caller closes the stream and
    /// then reaps `pid` (`reap`), whose exit status says why a stream ended early.
    public func dial(timeoutSeconds: Int, environment: [String: String]) throws(ControlClientError) -> (fd: Int32, pid: pid_t) {
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let made = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
        #else
        let made = socketpair(AF_UNIX, SOCK_STREAM, 0, &pair)
        #endif
        guard made == 0 else { throw ControlClientError(.io, "cannot create a socket pair: \(String(cString: strerror(errno)))") }
        let argv = command(environment: environment)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies; the originals close with the exec.
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environ)
        close(pair[1])
        guard spawned == 0 else {
            close(pair[0])
            throw ControlClientError(.io, "cannot run \(argv[0]) to reach \(self): \(String(cString: strerror(spawned))) (install OpenSSH's client, or set HEKATON_SSH_COMMAND)")
        }
        UnixSocket.setTimeouts(pair[0], seconds: timeoutSeconds)
        return (pair[0], pid)
    }

    /// Waits for a relay's ssh; its exit status, or nil when it did not exit normally.
    @discardableResult
    public static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
    }
}
