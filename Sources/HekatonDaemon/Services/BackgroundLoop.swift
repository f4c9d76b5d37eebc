import ServiceLifecycle

/// A loop that runs until its task is cancelled (the worker pool, the schedules, the pruner),
/// run as a service: a graceful shutdown cancels it, and the service ends once the loop has
/// wound down (the worker pool stops its running jobs and puts them back in their queue).
struct BackgroundLoop: Service, CustomStringConvertible {
    let description: String
    let loop: @Sendable () async throws -> Void

    init(_ description: String, loop: @escaping @Sendable () async throws -> Void) {
        self.description = description
        self.loop = loop
    }

    func run() async throws {
        try await cancelWhenGracefulShutdown(loop)
    }
}
