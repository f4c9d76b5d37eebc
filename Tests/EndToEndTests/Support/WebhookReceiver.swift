import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP receiver on loopback for webhook tests: it records every request it answers,
/// and answers at once or after a delay. Stopped, its port refuses connections.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let port: Int
    private let delay = Mutex<TimeAmount>(.zero)
    private let received = Mutex<[Received]>([])
    private let channel = Mutex<Channel?>(nil)

    /// A port nothing listens on yet (bound and released), below the ephemeral range: there,
    /// a client that keeps connecting to a port nobody listens on can end up connected to
    /// itself (TCP's simultaneous open) and hold the port.
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<30_000)
            guard let probe = try? ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).wait() else { continue }
            try probe.close().wait()
            return port
        }
        throw ChannelError.connectPending
    }

    init(port: Int) {
        self.port = port
    }

    var requests: [Received] { received.withLock { $0 } }

    func answer(after seconds: Double) {
        delay.withLock { $0 = .milliseconds(Int64(seconds * 1000)) }
    }

    func start() throws {
        let bound = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(receiver: self))
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        channel.withLock { $0 = bound }
    }

    func stop() {
        let bound = channel.withLock { current -> Channel? in defer { current = nil }; return current }
        try? bound?.close().wait()
    }

    fileprivate func record(_ request: Received) -> TimeAmount {
        received.withLock { $0.append(request) }
        return delay.withLock { $0 }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: WebhookReceiver
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(receiver: WebhookReceiver) {
            self.receiver = receiver
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let delay = receiver.record(Received(path: head.uri, headers: headers, body: body))
                let context = NIOLoopBound(context, eventLoop: context.eventLoop)
                let respond = { [self] in
                    let context = context.value
                    var responseHeaders = HTTPHeaders()
                    responseHeaders.add(name: "Content-Length", value: "2")
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: responseHeaders))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                if delay == .zero { respond() } else { context.value.eventLoop.scheduleTask(in: delay) { respond() } }
            }
        }
    }
}
