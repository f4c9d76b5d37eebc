import ControlAPI
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The control API: HTTP/1.1 with JSON on a Unix stream socket.
///
/// Each connection knows its caller from `SO_PEERCRED`; bodies over the limit get 413 and a
/// closed connection; silent connections are closed after the idle timeout; bytes that are
/// not HTTP get 400 from NIO's error handler. No client input can reach a `fatalError`.
public final class ControlServer: Service, Sendable {
    public struct Settings: Sendable {
        public var maxRequestBodyBytes: Int
        public var idleTimeout: TimeAmount
        /// Submission bundles may be larger than other requests; competitions set their own
        /// smaller limits on top.
        public var maxUploadBytes: Int = 256 << 20
        /// Where upload bodies are spooled while they arrive, so that none is held in memory.
        public var spoolDirectory: String

        public init(maxRequestBodyBytes: Int, idleTimeout: TimeAmount, spoolDirectory: String) {
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.idleTimeout = idleTimeout
            self.spoolDirectory = spoolDirectory
        }

        /// Called after each connection has closed.
        public var didClose: (@Sendable () -> Void)?

        /// A dataset sent over the socket (`dataset register --upload`) may be far larger.
        public var maxDatasetUploadBytes: Int = 64 << 30

        /// Bodies spooled to disk rather than read into memory: submission bundles, and datasets
        /// sent as tar streams (a dataset registration by path is small JSON).
        static func spools(_ path: String, contentType: String?) -> Bool {
            isUpload(path) || isDatasetUpload(path, contentType: contentType)
        }

        static func isUpload(_ path: String) -> Bool { path.hasSuffix("/submissions") && path.hasPrefix("/v1/competitions/") }

        static func isDatasetUpload(_ path: String, contentType: String?) -> Bool {
            path.hasPrefix("/v1/datasets/") && path.hasSuffix("/versions") && contentType == "application/x-tar"
        }

        func limit(for path: String, contentType: String?) -> Int {
            if Self.isDatasetUpload(path, contentType: contentType) { return maxDatasetUploadBytes }
            return Self.isUpload(path) ? max(maxUploadBytes, maxRequestBodyBytes) : maxRequestBodyBytes
        }
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// The loops Swift Concurrency's tasks run on (`EventLoopGlobalExecutor`): a route's task
    /// then starts on the loop its connection reads on, with no hop to another thread. Like
    /// NIO's singleton they live as long as the process.
    static var eventLoops: MultiThreadedEventLoopGroup { EventLoopGlobalExecutor.eventLoops }

    private let listener: NIOAsyncChannel<Connection, Never>
    private let router: Router
    private let identity: Mutex<CallerIdentity>
    private let settings: Settings
    private let logger: Logger
    private let connections = OpenConnections()
    public let socketPath: String

    /// Binds the socket: the one systemd handed over, or a new one at `path` (replacing a
    /// stale file left by a dead daemon, never a live daemon's).
    public static func bind(path: String, activatedSocket: Int32?, mode: UInt16, group: String,
                            settings: Settings, router: Router, identity: CallerIdentity, logger: Logger) async throws -> ControlServer {
        let bootstrap = ServerBootstrap(group: eventLoops)
            .serverChannelOption(.backlog, value: 256)
        let initializer: @Sendable (Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(IdleStateHandler(writeTimeout: settings.idleTimeout))
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                try sync.addHandler(ProtocolProblemHandler())
                try sync.addHandler(RequestDeadline(timeout: settings.idleTimeout))
                return try Connection(wrappingChannelSynchronously: channel)
            }
        }
        let listener: NIOAsyncChannel<Connection, Never>
        if let activatedSocket {
            listener = try await bootstrap.bind(activatedSocket, childChannelInitializer: initializer)
            logger.info("serving on the socket systemd passed", metadata: ["fd": "\(activatedSocket)"])
        } else {
            try prepareSocketPath(path)
            let oldMask = umask(0o177)
            defer { umask(oldMask) }
            listener = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
            applyOwnership(path: path, mode: mode, group: group, logger: logger)
        }
        return ControlServer(listener: listener, router: router, identity: identity, settings: settings, logger: logger, socketPath: path)
    }

    private init(listener: NIOAsyncChannel<Connection, Never>, router: Router, identity: CallerIdentity,
                 settings: Settings, logger: Logger, socketPath: String) {
        self.listener = listener
        self.router = router
        self.identity = Mutex(identity)
        self.settings = settings
        self.logger = logger
        self.socketPath = socketPath
    }

    /// Takes effect for the next connection (configuration reload).
    public func updateIdentity(_ identity: CallerIdentity) {
        self.identity.withLock { $0 = identity }
    }

    /// Serves until a graceful shutdown, then drains as Hummingbird's server does: it stops
    /// accepting, and each open connection closes once it has finished its answer (an idle
    /// one at once). It returns when the last has closed; if the service group's grace period
    /// runs out first, it is cancelled and the connections still open are closed.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    try await listener.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            } onGracefulShutdown: {
                self.listener.channel.close(promise: nil)
                self.connections.drain()
            }
        } onCancel: {
            if connections.drainUnfinished {
                logger.warning("open connections did not finish within the grace period; closing them")
            }
        }
    }

    /// Reads requests and answers them in turn. What the head alone decides (an unknown
    /// route, a host route for a participant, a declared body over the limit) is answered
    /// before any of the body is read, and the connection closed.
    private func serve(_ connection: Connection) async {
        connections.opened(connection.channel)
        defer {
            connections.closed(connection.channel)
            settings.didClose?()
        }
        let caller = await peerCaller(connection.channel)
        var spool: BodySpool?
        defer { spool?.remove() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var received = 0
                var limit = settings.maxRequestBodyBytes
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        let path = Self.split(uri: requestHead.uri).0
                        guard let caller else {
                            try await write(.problem(Problem(title: "Forbidden", status: 403,
                                                             detail: "the daemon could not read the caller's credentials")),
                                            keepAlive: false, to: outbound)
                            return
                        }
                        if let refusal = router.refusal(method: requestHead.method.rawValue, path: path, caller: caller) {
                            router.observe?(requestHead.method.rawValue, router.pattern(method: requestHead.method.rawValue, path: path), refusal.status)
                            try await write(.problem(refusal), keepAlive: false, to: outbound)
                            return
                        }
                        head = requestHead
                        body = []
                        received = 0
                        let contentType = requestHead.headers.first(name: "content-type")
                        limit = settings.limit(for: path, contentType: contentType)
                        if let length = requestHead.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                            try await write(tooLarge(limit), keepAlive: false, to: outbound)
                            return
                        }
                        spool?.remove()
                        spool = Settings.spools(path, contentType: contentType) && requestHead.method == .POST
                            ? try BodySpool(directory: settings.spoolDirectory) : nil
                    case .body(let buffer):
                        received += buffer.readableBytes
                        if received > limit {
                            try await write(tooLarge(limit), keepAlive: false, to: outbound)
                            return
                        }
                        if let spool { try spool.append(buffer) } else { body += buffer.readableBytesView }
                    case .end:
                        guard let requestHead = head, let caller else { continue }
                        head = nil
                        let response = await respond(to: requestHead, body: spool.map { .file($0.path) } ?? .bytes(body), caller: caller)
                        body = []
                        spool?.remove()
                        spool = nil
                        try await write(response, keepAlive: requestHead.isKeepAlive, to: outbound)
                        if !requestHead.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func tooLarge(_ limit: Int) -> APIResponse {
        .problem(Problem(title: "Request body too large", status: 413,
                         detail: "the limit is \(limit) bytes (max_request_body_bytes in the daemon's configuration)"))
    }

    private func respond(to head: HTTPRequestHead, body: APIRequest.Body, caller: Caller) async -> APIResponse {
        let (path, query) = Self.split(uri: head.uri)
        let request = APIRequest(method: head.method.rawValue, path: path, query: query,
                                 headers: head.headers.map { ($0.name, $0.value) }, body: body, caller: caller)
        let started = ContinuousClock.now
        let response = await router.respond(to: request)
        logger.debug("request", metadata: ["method": "\(request.method)", "path": "\(path)", "status": "\(response.status)",
                                           "uid": "\(caller.uid)", "elapsed": "\(ContinuousClock.now - started)"])
        return response
    }

    private func write(_ response: APIResponse, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Server", value: "hekatond/\(HekatonVersion.current)")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        switch response.body {
        case .bytes(let bytes):
            headers.add(name: "Content-Length", value: "\(bytes.count)")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)))
            if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            try await outbound.write(.end(nil))
        case .stream(let stream):
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)))
            for await chunk in stream where !chunk.isEmpty {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
            }
            try await outbound.write(.end(nil))
        }
    }

    private func peerCaller(_ channel: Channel) async -> Caller? {
        guard let provider = channel as? SocketOptionProvider else { return nil }
        do {
            let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(
                level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET),
                name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
            ).get()
            return identity.withLock { $0 }.caller(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
        } catch {
            logger.warning("cannot read peer credentials", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static func split(uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }

    /// Creates the socket's directory and removes a stale socket file. A socket that still
    /// answers belongs to a live daemon and is left alone.
    static func prepareSocketPath(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw DaemonError(.socket, "\(path) exists and is not a socket; remove it or choose another --socket")
        }
        if socketAnswers(path) {
            throw DaemonError(.socket, "another daemon is already listening on \(path); stop it, or choose another --socket")
        }
        unlink(path)
    }

    static func socketAnswers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes); $0[bytes.count] = 0 }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    static func applyOwnership(path: String, mode: UInt16, group: String, logger: Logger) {
        if let gid = CallerIdentity.groupID(named: group) {
            if chown(path, UInt32.max, gid) != 0 {
                logger.warning("cannot give the socket to its group", metadata: ["group": "\(group)", "error": "\(String(cString: strerror(errno)))"])
            }
        } else {
            logger.notice("socket group does not exist; the socket keeps the daemon's group", metadata: ["group": "\(group)"])
        }
        chmod(path, mode_t(mode))
    }
}

/// The layout of Linux's `struct ucred`, which Glibc's module map leaves out without `_GNU_SOURCE`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
