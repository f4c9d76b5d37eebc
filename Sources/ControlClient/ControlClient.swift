import ControlAPI
#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Calls the daemon's JSON API over its Unix socket.
public struct ControlClient: Sendable {
    public let socketPath: String
    public var timeoutSeconds: Int
    /// A daemon on another machine, reached through ssh (`--host ssh://...`); nil: the local socket.
    public let remote: SSHTarget?

    public init(socketPath: String, timeoutSeconds: Int = 60) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
        remote = nil
    }

    public init(remote: SSHTarget, timeoutSeconds: Int = 60) {
        socketPath = remote.description
        self.timeoutSeconds = timeoutSeconds
        self.remote = remote
    }

    /// A new connection: to the socket, or through ssh to the remote one.
    func connect(timeoutSeconds: Int) throws(ControlClientError) -> UnixHTTPConnection {
        if let remote { return try UnixHTTPConnection(ssh: remote, timeoutSeconds: timeoutSeconds) }
        return try UnixHTTPConnection(socketPath: socketPath, timeoutSeconds: timeoutSeconds)
    }

    /// Finds the socket as the daemon does: an explicit path, `$HEKATON_SOCKET`, then the
    /// user's own daemon, then the system daemon. The first candidate that exists wins.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              euid: UInt32 = UInt32(geteuid())) -> (path: String, searched: [String]) {
        if let explicit, !explicit.isEmpty { return (explicit, [explicit]) }
        if let fromEnvironment = environment["HEKATON_SOCKET"], !fromEnvironment.isEmpty {
            return (fromEnvironment, [fromEnvironment])
        }
        let candidates = HekatonPaths.clientSocketCandidates(environment: environment, euid: euid)
        let existing = candidates.first { FileManager.default.fileExists(atPath: $0) }
        return (existing ?? candidates[0], candidates)
    }

    /// Sends a request and returns the raw status, headers and body.
    public func raw(_ method: String, _ path: String, body: [UInt8]? = nil,
                    contentType: String = "application/json") throws(ControlClientError) -> (HTTPResponseHead, [UInt8]) {
        var connection = try connect(timeoutSeconds: timeoutSeconds)
        let head = try connection.send(method: method, path: path, body: body, contentType: contentType)
        let responseBody = try connection.readBody(head)
        return (head, responseBody)
    }

    /// Sends a request and decodes a JSON answer; an error status becomes a thrown problem.
    public func call<Response: Decodable>(_ method: String, _ path: String, as type: Response.Type = Response.self) throws(ControlClientError) -> Response {
        try decode(raw(method, path), as: type)
    }

    public func call<Request: Encodable, Response: Decodable>(_ method: String, _ path: String, body: Request,
                                                            as type: Response.Type = Response.self) throws(ControlClientError) -> Response {
        let bytes: [UInt8]
        do { bytes = Array(try Self.encoder.encode(body)) } catch {
            throw ControlClientError(.io, "cannot encode the request: \(error)")
        }
        return try decode(raw(method, path, body: bytes), as: type)
    }

    /// Streams the body of a successful response (logs with `--follow`), chunk by chunk.
    public func stream(_ method: String, _ path: String, body: [UInt8]? = nil,
                       onChunk: (ArraySlice<UInt8>) throws(ControlClientError) -> Void) throws(ControlClientError) {
        var connection = try connect(timeoutSeconds: 24 * 3600)
        let head = try connection.send(method: method, path: path, body: body)
        guard head.status < 300 else {
            let body = try connection.readBody(head)
            throw Self.problemError(status: head.status, body: body)
        }
        try connection.readBody(head, onChunk: onChunk)
    }

    /// Streams a body that `produce` writes in pieces (`length` bytes in all), then reads the
    /// answer as it arrives.
    public func upload(_ method: String, _ path: String, contentType: String, length: Int64,
                       produce: (_ write: ([UInt8]) throws(ControlClientError) -> Void) throws(ControlClientError) -> Void,
                       onChunk: (ArraySlice<UInt8>) throws(ControlClientError) -> Void) throws(ControlClientError) {
        var connection = try connect(timeoutSeconds: 24 * 3600)
        let head = try connection.send(method: method, path: path, contentType: contentType, length: length, produce: produce)
        guard head.status < 300 else {
            let body = try connection.readBody(head)
            throw Self.problemError(status: head.status, body: body)
        }
        try connection.readBody(head, onChunk: onChunk)
    }

    private func decode<Response: Decodable>(_ response: (HTTPResponseHead, [UInt8]), as type: Response.Type) throws(ControlClientError) -> Response {
        let (head, body) = response
        guard head.status < 300 else { throw Self.problemError(status: head.status, body: body) }
        do {
            return try Self.decoder.decode(Response.self, from: Data(body))
        } catch {
            throw ControlClientError(.badResponse, "unexpected answer from the daemon (\(error)); is hekatonctl the same version as hekatond?")
        }
    }

    static func problemError(status: Int, body: [UInt8]) -> ControlClientError {
        if let problem = try? decoder.decode(Problem.self, from: Data(body)) {
            return ControlClientError(.problem, problem.description, problem: problem)
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        let problem = Problem(title: "HTTP \(status)", status: status, detail: text.isEmpty ? nil : text)
        return ControlClientError(.problem, problem.description, problem: problem)
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static let decoder = JSONDecoder()
}
