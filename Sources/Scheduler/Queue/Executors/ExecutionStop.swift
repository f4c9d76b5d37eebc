import Foundation
import Synchronization

/// The worker pool's request that a running attempt end early, and why.
///
/// The first request wins; later ones are ignored. An executor registers what to do (kill
/// a process group, `scancel`) with `onRequest`, which also runs at once when a request
/// came before the executor was ready, so no request is ever missed.
public final class ExecutionStop: Sendable {
    public enum Reason: String, Sendable, Hashable, Codable {
        /// A user cancelled the job.
        case cancel
        /// The job ran past its time limit.
        case timeout
        /// The daemon is stopping; the job is put back in its queue.
        case shutdown
        /// The worker no longer holds the job's lease; another attempt replaced this one.
        case leaseLost = "lease-lost"
    }

    private struct State {
        var requested: Reason?
        var handlers: [@Sendable (Reason) -> Void] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var reason: Reason? {
        state.withLock { $0.requested }
    }

    public func request(_ reason: Reason) {
        let toRun: [@Sendable (Reason) -> Void] = state.withLock { state in
            guard state.requested == nil else { return [] }
            state.requested = reason
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in toRun { handler(reason) }
    }

    public func onRequest(_ handler: @escaping @Sendable (Reason) -> Void) {
        let already: Reason? = state.withLock { state in
            if state.requested == nil { state.handlers.append(handler) }
            return state.requested
        }
        if let already { handler(already) }
    }
}
