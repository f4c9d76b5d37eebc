import Foundation
import Synchronization

/// What the cluster last said about each job the daemon handed it, for `status` and
/// `job show`. Kept in memory: the database holds the job and its Slurm id, and after a
/// restart the re-attached executor fills this in again within one poll.
public final class ClusterJobBoard: Sendable {
    public struct Entry: Sendable, Equatable {
        public var executor: String
        public var externalID: String?
        /// Slurm's state (`PENDING (Resources)`, `RUNNING`, `COMPLETED`), or `UNREACHABLE`.
        public var state: String
        /// A sentence for the user when something needs explaining (the controller is out of reach).
        public var detail: String?
        public var updatedAt: Date
    }

    private let entries = Mutex<[Int64: Entry]>([:])
    private let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public func entry(for jobID: Int64) -> Entry? {
        entries.withLock { $0[jobID] }
    }

    func update(_ jobID: Int64, executor: String, externalID: String?, state: String, detail: String? = nil) {
        entries.withLock { entries in
            entries[jobID] = Entry(executor: executor, externalID: externalID, state: state, detail: detail, updatedAt: Date())
            if entries.count > capacity, let oldest = entries.min(by: { $0.value.updatedAt < $1.value.updatedAt })?.key {
                entries[oldest] = nil
            }
        }
    }
}
