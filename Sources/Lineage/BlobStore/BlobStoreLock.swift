#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonSupport

/// An advisory lock on the blob store, shared between processes through `flock`.
///
/// Writers hold it shared while they adopt an existing blob or rename a new one into
/// place; garbage collection holds it exclusively while it deletes. Without it a collector
/// could delete a blob in the instant after a writer decided it was already there.
struct BlobStoreLock {
    enum Mode { case shared, exclusive }

    let path: String

    func withLock<T>(_ mode: Mode, _ body: () throws -> T) throws -> T {
        let file = try LineageFile.open(path, .readWrite, options: .create, mode: 0o644,
                                       operation: FileOperation("open lock file", changesFile: false))
        defer { file.close() }
        let operation = mode == .shared ? LOCK_SH : LOCK_EX
        while flock(file.raw, operation) != 0 {
            if errno != EINTR { throw LineageError.systemCall("lock", path: path) }
        }
        // Closing the descriptor releases the lock.
        return try body()
    }
}
