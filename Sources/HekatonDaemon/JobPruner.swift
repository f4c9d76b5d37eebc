import Foundation
import Logging
import Scheduler

/// Deletes finished jobs and their logs once they are older than the retention, checking at
/// start-up and then every tenth of the retention (at most hourly).
struct JobPruner {
    let queue: JobQueue
    let retentionSeconds: Double
    let logger: Logger

    func run() async {
        let interval = min(max(retentionSeconds / 10, 0.5), 3600)
        while !Task.isCancelled {
            do {
                let logs = try queue.prune(finishedBefore: queue.clock.now().addingTimeInterval(-retentionSeconds))
                for path in logs { try? FileManager.default.removeItem(atPath: path) }
                if !logs.isEmpty { logger.info("pruned finished jobs and their logs", metadata: ["logs": "\(logs.count)"]) }
            } catch {
                logger.error("pruning finished jobs failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }
}
