import CConcurrencyHooks
import NIOCore
import NIOPosix

/// As many loops as the default pool has threads: one per core.
private let loops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

/// Swift Concurrency's global executor, moved onto event loops so that an idle daemon does not
/// wake up.
///
/// On Linux the default global executor is libdispatch's global queues. Their first worker
/// thread starts libdispatch's work-queue monitor, a timer that fires every second for the
/// rest of the process's life (`_dispatch_workq_init_once`), due work or not. Event loops
/// sleep in `epoll_wait` until there is work: jobs run on them as they come, and a delayed job
/// (`Task.sleep`, a deadline) is a scheduled task of its loop, so that one timer is armed for
/// what is due and none otherwise.
///
/// Blocking work does not belong here any more than on the default pool: it goes to the
/// daemon's thread pool (`BlockingWork`). Serial Dispatch queues (GRDB's, the signal source's)
/// still run on Dispatch's overcommit threads, which the monitor does not watch.
public enum EventLoopGlobalExecutor {
    /// The loops; the control server's connections live on them too, so that a request's
    /// task runs on the loop its connection reads on (`any()` is sticky to the current loop)
    /// instead of hopping between threads.
    public static var eventLoops: MultiThreadedEventLoopGroup { loops }

    /// Installs the loops as the global executor; call it first thing in `main`, before any
    /// task has run on the default one. False when another global executor is installed.
    @discardableResult
    public static func install() -> Bool {
        hekaton_install_global_executor(
            { job in
                guard let job else { return }
                loops.any().enqueue(ExecutorJob(unsafeBitCast(job, to: UnownedJob.self)))
            },
            { nanoseconds, job in
                guard let job else { return }
                let unowned = unsafeBitCast(job, to: UnownedJob.self)
                let loop = loops.any()
                let delay = TimeAmount.nanoseconds(Int64(clamping: nanoseconds))
                if delay.nanoseconds <= 0 {
                    loop.enqueue(ExecutorJob(unowned))
                } else {
                    loop.scheduleTask(in: delay) { loop.enqueue(ExecutorJob(unowned)) }
                }
            })
    }
}
