import Foundation
import GRDB
import Lineage

/// What start-up refuses about the database, before anything is written to it: a damaged
/// file, and a new (missing or empty) one beside a blob store that already holds blobs.
extension DaemonDatabase {
    static func blobRoot(_ stateDirectory: String) -> String { stateDirectory + "/blobs" }

    /// A database that is absent, empty, or has no migrations applied is new; beside a blob
    /// store with blobs it means the real one was lost, and starting on it would forget every
    /// record (and the next gc would delete every blob).
    static func refuseNewDatabaseBesideBlobs(path: String, stateDirectory: String) throws(DaemonError) {
        let root = blobRoot(stateDirectory)
        guard FileManager.default.fileExists(atPath: root + "/" + Digest.algorithm) else { return }
        let holdsBlobs: Bool
        do { holdsBlobs = try BlobStore(root: root).holdsAnyBlob() } catch {
            throw DaemonError(.stateDirectory, "cannot read the blob store \(root): \(error)")
        }
        guard holdsBlobs else { return }
        throw DaemonError(.databaseMissing, """
            the database \(path) is missing or empty, but the blob store \(root) holds blobs: \
            this state directory is not new, and starting afresh would forget every dataset, competition and model \
            (and the next gc would delete their blobs). Restore \(path) from a backup; to start afresh on purpose, \
            move \(root) aside too, or use another --state-dir
            """)
    }

    /// Absent or empty.
    static func isNewFile(_ path: String) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0) == 0
    }

    /// `PRAGMA quick_check` on a read-only connection, so a damaged file is refused before
    /// anything writes to it: every page and index entry readable and well formed. Cheaper
    /// than `integrity_check`, which also compares every index with its table.
    static func checkIntegrity(path: String) throws(DaemonError) {
        let findings: [String]
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            findings = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        } catch {
            throw damaged(path, error) ?? DaemonError(.database, "cannot check the database \(path): \(error)")
        }
        guard findings != ["ok"] else { return }
        let summary = findings.prefix(3).flatMap { $0.split(separator: "\n") }.joined(separator: "; ")
        throw damagedError(path, summary)
    }

    /// The refusal for a database SQLite calls corrupt or not a database; nil for other errors.
    static func damaged(_ path: String, _ error: any Error) -> DaemonError? {
        guard let error = error as? DatabaseError, [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) else { return nil }
        return damagedError(path, error.message ?? "\(error)")
    }

    private static func damagedError(_ path: String, _ finding: String) -> DaemonError {
        DaemonError(.databaseDamaged, """
            the database \(path) is damaged (SQLite: \(finding)); hekatond will not start on it. \
            Stop here and keep the file: restore \(path) from a backup (with its -wal file, if the backup has one), \
            then start hekatond again. Do not delete it: a new database beside the blob store would be refused
            """)
    }
}
