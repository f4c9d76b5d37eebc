import Foundation
import Synchronization

/// Sums progress from every hashing thread and calls the caller's handler, one call at a
/// time, every few megabytes or files rather than on every chunk.
final class SnapshotProgressReporter: Sendable {
    private static let bytesBetweenReports: Int64 = 32 << 20
    private static let filesBetweenReports = 64

    private struct Counts {
        var progress: SnapshotProgress
        var lastReported: SnapshotProgress
    }

    /// Held while the handler runs, so that it is called one call at a time.
    private let counts: Mutex<Counts>
    private let handler: (@Sendable (SnapshotProgress) -> Void)?

    init(bytesTotal: Int64, filesTotal: Int, handler: (@Sendable (SnapshotProgress) -> Void)?) {
        let progress = SnapshotProgress(bytesDone: 0, bytesTotal: bytesTotal, filesDone: 0, filesTotal: filesTotal)
        counts = Mutex(Counts(progress: progress, lastReported: progress))
        self.handler = handler
    }

    func bytesRead(_ count: Int) {
        guard handler != nil else { return }
        update { $0.bytesDone += Int64(count) }
    }

    func fileDone() {
        guard handler != nil else { return }
        update { $0.filesDone += 1 }
    }

    private func update(_ change: (inout SnapshotProgress) -> Void) {
        counts.withLock { counts in
            change(&counts.progress)
            let progress = counts.progress
            let finished = progress.filesDone == progress.filesTotal
            guard finished
                || progress.bytesDone - counts.lastReported.bytesDone >= Self.bytesBetweenReports
                || progress.filesDone - counts.lastReported.filesDone >= Self.filesBetweenReports
            else { return }
            counts.lastReported = progress
            handler?(progress)
        }
    }
}
