import ControlAPI

/// Why a call to the daemon did not get an answer, or got an error.
public struct ControlClientError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No daemon listens on the socket (missing file or connection refused).
        case daemonNotRunning
        /// The socket exists but this user may not connect to it.
        case permissionDenied
        /// The daemon answered with an error (the problem is attached).
        case problem
        /// The answer was not HTTP or not the JSON expected.
        case badResponse
        case timedOut
        case io
    }

    public let code: Code
    public let message: String
    public let problem: Problem?

    public init(_ code: Code, _ message: String, problem: Problem? = nil) {
        self.code = code
        self.message = message
        self.problem = problem
    }

    public var description: String { message }
}
