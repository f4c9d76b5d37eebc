import ControlAPI
import NIOCore
import NIOHTTP1

/// Answers bytes that are not HTTP (a bad method, conflicting framing, a malformed head) with
/// a problem+json 400 and closes the connection, as NIO's own error handler does with an
/// empty body. When an answer is already under way, the connection is only closed.
final class ProtocolProblemHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responding = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !responding {
            let problem = Problem(title: "Bad request", status: 400,
                                  detail: "the request is not valid HTTP/1.1 (\(error)); see docs/openapi.yaml")
            let body = APIResponse.problem(problem)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: Problem.mediaType)
            headers.add(name: "Connection", value: "close")
            if case .bytes(let bytes) = body.body {
                headers.add(name: "Content-Length", value: "\(bytes.count)")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }
}
