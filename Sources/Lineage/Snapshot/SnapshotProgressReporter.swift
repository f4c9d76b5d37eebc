import Foundation

/// Sums progress from every hashing thread and calls the caller's handler, one call at a
/// time, every few megabytes or files rather than on every chunk.
final class SnapshotProgressReporter: @unchecked Sendable {
    private static let bytesBetweenReports: Int64 = 32 << 20
    private static let filesBetweenReports = 64

    private let lock = NSLock()
    private var progress: SnapshotProgress
    private var lastReported: SnapshotProgress
    private let handler: (@Sendable (SnapshotProgress) -> Void)?

    init(bytesTotal: Int64, filesTotal: Int, handler: (@Sendable (SnapshotProgress) -> Void)?) {
        progress = SnapshotProgress(bytesDone: 0, bytesTotal: bytesTotal, filesDone: 0, filesTotal: filesTotal)
        lastReported = progress
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
        lock.withLock {
            change(&progress)
            let finished = progress.filesDone == progress.filesTotal
            guard finished
                || progress.bytesDone - lastReported.bytesDone >= Self.bytesBetweenReports
                || progress.filesDone - lastReported.filesDone >= Self.filesBetweenReports
            else { return }
            lastReported = progress
            handler?(progress)
        }
    }
}
