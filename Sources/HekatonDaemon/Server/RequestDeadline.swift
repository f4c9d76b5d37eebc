import NIOCore
import NIOHTTP1

/// Bounds how long a client may hold a connection without making progress.
///
/// - Between requests, and while a request arrives, a deadline runs: the whole request
///   (head and body) must be in within the idle timeout, plus a second per MiB of declared
///   body. A client that trickles a byte a second is closed like a silent one, since the
///   deadline does not move with each byte as a read timeout would.
/// - While the daemon answers, no deadline runs (a followed log may be quiet for long),
///   but a client that stops reading is closed: when nothing could be written for the idle
///   timeout and the channel is still not writable, the client is not taking its answer.
final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private var answering = 0
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, timeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, timeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // A declared body gets a second per MiB on top, so a large upload is not cut off.
            if let length = head.headers.first(name: "content-length").flatMap(Int64.init), length > 0 {
                arm(context, timeout + .seconds(length >> 20))
            }
        case .body:
            break
        case .end:
            answering += 1
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answering = max(0, answering - 1)
            if answering == 0 { arm(context, timeout) }
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent {
            if idle == .write && answering > 0 && !context.channel.isWritable { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func arm(_ context: ChannelHandlerContext, _ after: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: after) { channel.close(promise: nil) }
    }
}
