import ControlAPI
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `GET /metrics` on a TCP address, for a Prometheus scraper (`metrics.listen`).
///
/// It serves the exposition and nothing else: every other path is 404 and every other method
/// 405, a request body is refused, and each answer closes its connection. Nothing a caller
/// sends is kept beyond a request's head, and a silent or trickling connection is closed
/// after the same idle timeout as the socket's. What it shows is what hosts see at
/// `/metrics` on the socket: figures, no ids, no logs.
final class MetricsListener: Service, Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let listener: NIOAsyncChannel<Connection, Never>
    private let metrics: DaemonMetrics
    private let logger: Logger
    let address: String

    static func bind(_ address: MetricsAddress, metrics: DaemonMetrics, idleTimeout: TimeAmount, logger: Logger) async throws -> MetricsListener {
        let listener = try await ServerBootstrap(group: ControlServer.eventLoops)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(writeTimeout: idleTimeout))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try sync.addHandler(RequestDeadline(timeout: idleTimeout))
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let bound = listener.channel.localAddress.map { "\($0.ipAddress ?? address.host):\($0.port ?? address.port)" } ?? "\(address)"
        return MetricsListener(listener: listener, metrics: metrics, logger: logger, address: bound)
    }

    private init(listener: NIOAsyncChannel<Connection, Never>, metrics: DaemonMetrics, logger: Logger, address: String) {
        self.listener = listener
        self.metrics = metrics
        self.logger = logger
        self.address = address
    }

    func run() async throws {
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
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                    case .body:
                        try await answer(413, "no request body is accepted here\n", to: outbound)
                        return
                    case .end:
                        guard let head else { return }
                        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                        if path != "/metrics" {
                            try await answer(404, "only /metrics is served here\n", to: outbound)
                        } else if head.method != .GET && head.method != .HEAD {
                            try await answer(405, "/metrics accepts GET\n", to: outbound, allow: "GET, HEAD")
                        } else {
                            let body = try await metrics.exposition()
                            try await answer(200, body, head: head.method == .HEAD, to: outbound)
                        }
                        return
                    }
                }
            }
        } catch {
            logger.debug("metrics connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func answer(_ status: Int, _ text: String, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
                        allow: String? = nil) async throws {
        try await answer(status, Array(text.utf8), contentType: "text/plain; charset=utf-8", to: outbound, allow: allow)
    }

    private func answer(_ status: Int, _ body: [UInt8], head: Bool = false,
                        contentType: String = DaemonMetrics.contentType,
                        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, allow: String? = nil) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Server", value: "hekatond/\(HekatonVersion.current)")
        if let allow { headers.add(name: "Allow", value: allow) }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)))
        if !head { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        try await outbound.write(.end(nil))
    }
}
