#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
#else
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
}
