import NIOPosix

/// The one place blocking work runs: hashing, copying, tar, reading files. Async code never
/// blocks a thread of the cooperative pool (it has one per core, and a blocked one holds up
/// every task behind it); it hands such work here, to NIO's shared thread pool, and awaits it.
///
/// The pool has a thread per core. Work that waits on something outside the process for
/// long (a child's exit) does not belong here: it would hold a thread for as long; see
/// `ChildReaper`.
public enum BlockingWork {
    /// Runs `work` on the blocking pool and returns its result. Throws `CancellationError`
    /// without running it when the calling task is cancelled before a thread takes it.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Runs `work` on the blocking pool even when the calling task is cancelled, as a
    /// synchronous call would: for work that must happen whole (a job's preparation, the
    /// last cut of its log) while the worker pool shuts down.
    public static func runWhole<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // The shared pool is never shut down, so its work items always run.
            NIOThreadPool.singleton.submit { _ in continuation.resume(with: Result(catching: work)) }
        }
    }
}
