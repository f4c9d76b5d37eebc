import Execution
import Foundation
import Logging
import Scheduler

/// Deletes finished jobs and their logs once they are older than the retention, checking at
/// start-up and then every tenth of the retention (at most hourly) on the queue's clock.
struct JobPruner {
    let queue: JobQueue
    let retentionSeconds: Double
    let logger: Logger

    func run() async {
        let interval = min(max(retentionSeconds / 10, 0.5), 3600)
        while !Task.isCancelled {
            do {
                let before = queue.clock.now().addingTimeInterval(-retentionSeconds)
                let logs = try await queue.writer.write { [queue] db in try queue.prune(db, finishedBefore: before) }
                _ = try? await BlockingWork.runWhole { for path in logs { try? FileManager.default.removeItem(atPath: path) } }
                if !logs.isEmpty { logger.info("pruned finished jobs and their logs", metadata: ["logs": "\(logs.count)"]) }
            } catch is CancellationError {
                return
            } catch {
                logger.error("pruning finished jobs failed", metadata: ["error": "\(error)"])
            }
            try? await queue.clock.sleep(until: queue.clock.now() + interval)
        }
    }
}
