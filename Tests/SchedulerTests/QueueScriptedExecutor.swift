import Foundation
import Scheduler

/// An executor without processes: the program name says what the "command" does.
/// `ok` exits 0, `fail` exits 1, `hang` runs until asked to stop and then dies of SIGTERM.
/// Every job it starts is announced on `started`, so a test waits for that, not for time.
struct QueueScriptedExecutor: Executor {
    let name = "scripted"
    let started: AsyncStream<Job>
    private let announce: AsyncStream<Job>.Continuation

    init() {
        (started, announce) = AsyncStream.makeStream(of: Job.self)
    }

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        announce.yield(job)
        switch job.argv[0] {
        case "ok":
            return ExecutionResult(termination: .exited(0))
        case "fail":
            return ExecutionResult(termination: .exited(1))
        case "hang":
            let reason = await withCheckedContinuation { (continuation: CheckedContinuation<ExecutionStop.Reason, Never>) in
                context.stop.onRequest { continuation.resume(returning: $0) }
            }
            return ExecutionResult(termination: .signalled(SIGTERM), stoppedBy: reason)
        default:
            throw ExecutionError(.executableNotFound, "the executable '\(job.argv[0])' was not found in PATH")
        }
    }
}
