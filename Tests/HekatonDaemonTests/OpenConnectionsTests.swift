import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import HekatonDaemon

@Suite("Draining the control server's connections at shutdown")
struct OpenConnectionsTests {
    /// A connected channel with the server's HTTP pipeline, which acts on the quiesce event.
    func connection() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    func request(_ channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"))
        while try channel.readInbound(as: HTTPServerRequestPart.self) != nil {}
    }

    func answer(_ channel: EmbeddedChannel) throws -> String {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "0"])
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var text = ""
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: bytes) }
        return text.lowercased()
    }

    @Test("An idle connection is closed at once; one answering closes after its answer, which says Connection: close")
    func drain() throws {
        let connections = OpenConnections()
        let idle = try connection()
        let busy = try connection()
        connections.opened(idle)
        connections.opened(busy)
        try request(busy)
        #expect(!connections.drainUnfinished, "nothing is draining before the shutdown")

        connections.drain()
        #expect(!idle.isActive)
        #expect(busy.isActive, "the request under way gets its answer")
        connections.closed(idle)
        #expect(connections.drainUnfinished)

        #expect(try answer(busy).contains("connection: close"))
        #expect(!busy.isActive)
        connections.closed(busy)
        #expect(!connections.drainUnfinished)
    }

    @Test("A connection accepted while the server drains is quiesced too, once")
    func lateConnection() throws {
        let connections = OpenConnections()
        connections.drain()
        let late = try connection()
        connections.opened(late)
        #expect(!late.isActive)
        // A second drain sends no second quiesce event, which NIO's pipeline handler asserts
        // against (and this debug build would trap on).
        connections.drain()
    }
}
