import Foundation

/// The worker pool's request that a running attempt end early, and why.
///
/// The first request wins; later ones are ignored. An executor registers what to do (kill
/// a process group, `scancel`) with `onRequest`, which also runs at once when a request
/// came before the executor was ready, so no request is ever missed.
public final class ExecutionStop: @unchecked Sendable {
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

    // NSLock rather than `Mutex`, which needs macOS 15 and the package supports macOS 14.
    private let lock = NSLock()
    private var requested: Reason?
    private var handlers: [@Sendable (Reason) -> Void] = []

    public init() {}

    public var reason: Reason? {
        lock.withLock { requested }
    }

    public func request(_ reason: Reason) {
        let toRun: [@Sendable (Reason) -> Void] = lock.withLock {
            guard requested == nil else { return [] }
            requested = reason
            defer { handlers = [] }
            return handlers
        }
        for handler in toRun { handler(reason) }
    }

    public func onRequest(_ handler: @escaping @Sendable (Reason) -> Void) {
        let already: Reason? = lock.withLock {
            if requested == nil { handlers.append(handler) }
            return requested
        }
        if let already { handler(already) }
    }
}
