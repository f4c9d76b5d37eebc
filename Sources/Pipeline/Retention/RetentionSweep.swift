import Execution
import Foundation
import GRDB

/// One pass of retention over the state directory: expired run directories removed, and old
/// dataset versions' data marked pruned (their blobs are then freed by `hekatonctl gc`).
/// Run by the daemon's pruner loop on the queue's clock, so it adds no timer of its own.
public struct RetentionSweep: Sendable {
    public let database: any DatabaseWriter
    public let stateDirectory: String
    public let defaults: RetentionPolicy

    public init(database: any DatabaseWriter, stateDirectory: String, defaults: RetentionPolicy) {
        self.database = database
        self.stateDirectory = stateDirectory
        self.defaults = defaults
    }

    public struct Report: Sendable, Equatable {
        /// Names under `runs/` removed.
        public var removedRuns: [String] = []
        /// Dataset versions whose data was marked pruned, as `NAME@TAG`.
        public var prunedVersions: [String] = []
    }

    public func run(now: Date) async throws -> Report {
        var report = Report()
        let runs = stateDirectory + "/runs"
        let entries = try await BlockingWork.runWhole { RunRetention.entries(of: runs) }
        let expired = try await database.read { [defaults] db in try RunRetention.expired(entries, now: now, defaults: defaults, db) }
        report.removedRuns = try await BlockingWork.runWhole {
            // A directory that cannot be removed (a file a stage left unwritable to us) is
            // tried again next time; the others go.
            expired.filter { name in (try? PipelineExecutor.removeTree(runs + "/" + name)) != nil }
        }
        // Chosen and marked in one transaction: a reproduction that would use a version
        // either commits first (its submission then keeps the version) or sees it pruned.
        report.prunedVersions = try await database.write { [defaults] db in
            try DatasetRetention.markPruned(try DatasetRetention.prunable(defaults: defaults, db), at: now, db)
        }
        return report
    }
}
