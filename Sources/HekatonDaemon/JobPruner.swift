import ControlAPI
import Execution
import Foundation
import Logging
import Pipeline
import Scheduler

/// Deletes finished jobs and their logs once they are older than the retention, and applies
/// `retention:` (expired run directories, old dataset versions' data), checking at start-up
/// and then every tenth of the shorter retention (at most hourly) on the queue's clock.
/// With `collectGarbage`, it also frees the blobs nothing references any more: right after
/// a pass pruned dataset versions, and otherwise once a day (pruned artifact builds,
/// replaced models), so that disk stays bounded without a host's cron job.
struct JobPruner {
    let queue: JobQueue
    let retentionSeconds: Double
    /// Run directories and dataset versions; nil: finished jobs alone.
    var retention: RetentionSweep? = nil
    var collectGarbage: (@Sendable () async throws -> GCReport)? = nil
    let logger: Logger
    static let garbageInterval: TimeInterval = 86400

    func run() async {
        let shortest = min(retentionSeconds, retention?.defaults.runsSeconds ?? retentionSeconds)
        let interval = min(max(shortest / 10, 0.5), 3600)
        // Not at start-up: a walk of a large store holds writers back; a day after, or after pruning.
        var lastGarbage = queue.clock.now()
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
            var pruned = false
            if let retention { pruned = await sweep(retention) }
            let now = queue.clock.now()
            if let collectGarbage, pruned || now.timeIntervalSince(lastGarbage) >= Self.garbageInterval {
                lastGarbage = now
                do {
                    let report = try await collectGarbage()
                    if !report.removedBlobs.isEmpty {
                        logger.info("freed the blobs nothing references any more", metadata: [
                            "blobs": "\(report.removedBlobs.count)", "bytes": "\(report.removedBytes)"])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("collecting unreferenced blobs failed", metadata: ["error": "\(error)"])
                }
            }
            try? await queue.clock.sleep(until: queue.clock.now() + interval)
        }
    }

    /// A failed pass is logged and tried again next time; nothing else waits on it. True when
    /// it pruned dataset versions' data.
    private func sweep(_ retention: RetentionSweep) async -> Bool {
        do {
            let report = try await retention.run(now: queue.clock.now())
            if !report.removedRuns.isEmpty {
                logger.info("removed expired run directories (retention.runs)", metadata: ["runs": "\(report.removedRuns.count)"])
            }
            if !report.prunedVersions.isEmpty {
                logger.notice("pruned the data of old dataset versions (retention.dataset_versions); their bytes are freed next",
                              metadata: ["versions": "\(report.prunedVersions.joined(separator: ", "))"])
            }
            return !report.prunedVersions.isEmpty
        } catch is CancellationError {
            return false
        } catch {
            logger.error("applying retention failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}
