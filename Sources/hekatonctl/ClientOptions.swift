import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// How to reach the daemon; shared by every command that talks to it.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path of hekatond's control socket (default: $HEKATON_SOCKET, then the usual places); with --host, the socket on that machine.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("""
        A daemon on another machine, through OpenSSH: ssh://[user@]host[:port][/socket] (default: $HEKATON_HOST). \
        You act there as that user; the machine needs sshd, hekatonctl and your membership of the socket's group.
        """, valueName: "url"))
    var host: String?

    /// The remote daemon named by `host` or $HEKATON_HOST, if any; `socket` is its socket
    /// when the URL names none.
    static func remote(
        host: String?, socket: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ControlClientError) -> SSHTarget? {
        guard let text = host ?? environment["HEKATON_HOST"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        var target = try SSHTarget.parse(text).get()
        if target.socketPath == nil, let socket, !socket.isEmpty { target.socketPath = socket }
        return target
    }
}

/// A failure already explained to the user, with the documented exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    init(_ error: ControlClientError, searched: [String]) {
        switch error.code {
        case .daemonNotRunning:
            let places = searched.count > 1 ? "looked at: \(searched.joined(separator: ", "))\n" : ""
            message = """
            \(error.message)
            \(places)start the daemon with `systemctl start hekatond` (system) or run `hekatond` in a terminal (your own, \
            state in $XDG_STATE_HOME/hekaton); or point --socket / HEKATON_SOCKET at its socket
            """
            exitCode = 69
        case .permissionDenied:
            message = error.message
            exitCode = 77
        case .problem:
            message = error.message
            exitCode = error.problem?.status == 403 ? 77 : 1
        case .badResponse, .io, .timedOut:
            message = error.message
            exitCode = 74
        }
    }

    var description: String { message }
}

extension ParsableCommand {
    /// Prints the failure the way users read it and exits with its code.
    static func exit(with failure: CommandFailure) -> Never {
        Terminal.writeError("hekatonctl: \(failure.message)\n")
        Glibc.exit(failure.exitCode)
    }
}

/// Runs a command body and reports its failure, if any: a `CommandFailure` as it is, a
/// `ControlClientError` with its exit code (and, for a daemon not found, the places `searched`).
/// Anything else is left to ArgumentParser (a usage error is 64, as it says).
func reportingFailures(searched: [String] = [], _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as CommandFailure {
        Hekatonctl.exit(with: failure)
    } catch let error as ControlClientError {
        Hekatonctl.exit(with: CommandFailure(error, searched: searched))
    }
}

/// Prints a value as the API's JSON, indented for reading.
/// - Parameter pretty: false for one object per line (JSON Lines).
func printJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
