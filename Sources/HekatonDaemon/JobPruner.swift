import Execution
import Foundation
import Logging
import Pipeline
import Scheduler

/// Deletes finished jobs and their logs once they are older than the retention, and applies
/// `retention:` (expired run directories, old dataset versions' data), checking at start-up
/// and then every tenth of the shorter retention (at most hourly) on the queue's clock.
struct JobPruner {
    let queue: JobQueue
    let retentionSeconds: Double
    /// Run directories and dataset versions; nil: finished jobs alone.
    var retention: RetentionSweep? = nil
    let logger: Logger

    func run() async {
        let shortest = min(retentionSeconds, retention?.defaults.runsSeconds ?? retentionSeconds)
        let interval = min(max(shortest / 10, 0.5), 3600)
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
            if let retention { await sweep(retention) }
            try? await queue.clock.sleep(until: queue.clock.now() + interval)
        }
    }

    /// A failed pass is logged and tried again next time; nothing else waits on it.
    private func sweep(_ retention: RetentionSweep) async {
        do {
            let report = try await retention.run(now: queue.clock.now())
            if !report.removedRuns.isEmpty {
                logger.info("removed expired run directories (retention.runs)", metadata: ["runs": "\(report.removedRuns.count)"])
            }
            if !report.prunedVersions.isEmpty {
                logger.notice("pruned the data of old dataset versions (retention.dataset_versions); hekatonctl gc frees their bytes",
                              metadata: ["versions": "\(report.prunedVersions.joined(separator: ", "))"])
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("applying retention failed", metadata: ["error": "\(error)"])
        }
    }
}
