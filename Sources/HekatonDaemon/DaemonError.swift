/// Why the daemon cannot start or go on, in words an operator can act on.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case alreadyRunning, stateDirectory, database, databaseTooNew, databaseDamaged, databaseMissing, socket, configuration, sandbox
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
