#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the daemon keeps its state and its socket when nothing says otherwise.
///
/// The daemon and the control tool share this logic so that both find the same socket.
/// Root gets the system locations (`/var/lib/hekaton`, `/run/hekaton`); any other user gets
/// the XDG base directories, so a user can run a private daemon without privileges.
public struct HekatonPaths: Sendable, Equatable {
    public var stateDirectory: String
    public var socketPath: String

    public static let socketFileName = "hekatond.sock"

    public init(stateDirectory: String, socketPath: String) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
    }

    /// The daemon's defaults. Under systemd, `$STATE_DIRECTORY` and `$RUNTIME_DIRECTORY` win.
    public static func daemonDefaults(environment: [String: String], euid: UInt32) -> HekatonPaths {
        let state = firstEntry(environment["STATE_DIRECTORY"]) ?? systemOrUserState(environment, euid)
        let socket: String
        if let runtime = firstEntry(environment["RUNTIME_DIRECTORY"]) {
            socket = runtime + "/" + socketFileName
        } else {
            socket = userSocketPath(environment: environment, euid: euid)
        }
        return HekatonPaths(stateDirectory: state, socketPath: socket)
    }

    /// The socket path a client of this user tries first, then the system daemon's.
    public static func clientSocketCandidates(environment: [String: String], euid: UInt32) -> [String] {
        let own = userSocketPath(environment: environment, euid: euid)
        let system = "/run/hekaton/" + socketFileName
        return own == system ? [own] : [own, system]
    }

    static func userSocketPath(environment: [String: String], euid: UInt32) -> String {
        if euid == 0 { return "/run/hekaton/" + socketFileName }
        if let runtime = nonEmpty(environment["XDG_RUNTIME_DIR"]) {
            return runtime + "/hekaton/" + socketFileName
        }
        return "/tmp/hekaton-\(euid)/" + socketFileName
    }

    static func systemOrUserState(_ environment: [String: String], _ euid: UInt32) -> String {
        if euid == 0 { return "/var/lib/hekaton" }
        if let xdg = nonEmpty(environment["XDG_STATE_HOME"]) { return xdg + "/hekaton" }
        if let home = nonEmpty(environment["HOME"]) { return home + "/.local/state/hekaton" }
        return "/tmp/hekaton-\(euid)/state"
    }

    /// systemd passes several directories separated by colons when a unit lists several.
    private static func firstEntry(_ value: String?) -> String? {
        guard let value = nonEmpty(value) else { return nil }
        return String(value.split(separator: ":").first ?? Substring(value))
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
