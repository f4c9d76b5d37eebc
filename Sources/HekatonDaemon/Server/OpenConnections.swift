import NIOCore
import Synchronization

/// The connections a server has open, so that a graceful shutdown can drain them as
/// Hummingbird's server does (with swift-nio-extras' `ServerQuiescingHelper`): each is sent
/// `ChannelShouldQuiesceEvent`, on which NIO's HTTP pipeline handler closes an idle connection
/// at once and a busy one after its answer, which then says `Connection: close`.
final class OpenConnections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    /// Every connection is quiesced exactly once: one that opens after `drain()` is quiesced
    /// here, one open before it by `drain()` (a second quiesce event trips NIO's assertions).
    func opened(_ channel: any Channel) {
        let draining = state.withLock { state in
            state.channels[ObjectIdentifier(channel)] = channel
            return state.draining
        }
        if draining { Self.quiesce(channel) }
    }

    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func drain() {
        let open = state.withLock { state -> [any Channel] in
            guard !state.draining else { return [] }
            state.draining = true
            return Array(state.channels.values)
        }
        open.forEach(Self.quiesce)
    }

    /// Draining, and some connection has not finished yet.
    var drainUnfinished: Bool {
        state.withLock { $0.draining && !$0.channels.isEmpty }
    }

    private static func quiesce(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
