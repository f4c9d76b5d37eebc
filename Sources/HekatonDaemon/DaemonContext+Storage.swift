import ControlAPI
import Execution
import Foundation
import Lineage

/// `hekatonctl fsck` and `hekatonctl gc`: the blob store checked and pruned against every
/// reference every module's tables hold.
extension DaemonContext {
    func blobReferences() async throws -> BlobReferences {
        try await database.read { [blobs] db in try blobs.references(db, from: DaemonDatabase.blobReferences) }
    }

    /// Hashes every blob: on the blocking pool.
    func checkBlobStore() async throws -> FsckReport {
        let references = try await blobReferences()
        let pruned = try await database.read { db in try LineageSchema.prunedDatasetVersions(db) }
        let blobs = blobs
        let report = try await BlockingWork.run { try blobs.verify(referenced: references.digests) }
        func blob(_ digest: Digest) -> FsckReport.Blob {
            FsckReport.Blob(digest: digest.description, path: blobs.path(for: digest), usedBy: references.owners[digest]?.description)
        }
        return FsckReport(checkedBlobs: report.checkedBlobs, checkedBytes: report.checkedBytes, referencedBlobs: references.owners.count,
                          corrupted: report.corrupted.map(blob), missing: report.missing.map(blob), strayFiles: report.strayFiles,
                          prunedDatasetVersions: pruned)
    }

    /// Walks and deletes files: on the blocking pool.
    func collectGarbage(gracePeriod: Duration, dryRun: Bool) async throws -> GCReport {
        let report: GarbageCollectionReport
        let references = try await blobReferences()
        let blobs = blobs
        let now = queue.clock.now()
        do {
            report = try await BlockingWork.run {
                try blobs.garbageCollect(references, gracePeriod: gracePeriod, now: now, dryRun: dryRun)
            }
        } catch let error as LineageError where error.isStorageDamage {
            throw Problem.storage(error)
        }
        return GCReport(dryRun: report.dryRun, removedBlobs: report.removedBlobs.map(\.description),
                        removedBytes: report.removedBlobBytes, keptYoungBlobs: report.keptYoungBlobs,
                        removedTemporaryFiles: report.removedTemporaryFiles, keptTemporaryFiles: report.keptTemporaryFiles)
    }

    /// A verified copy of the state that a daemon can start on (`Backup`), while this one runs.
    func backup(to destination: String) async throws -> BackupReport {
        let path = (destination as NSString).standardizingPath
        guard destination.hasPrefix("/"), destination.utf8.count <= 4096 else {
            throw Problem(title: "Bad backup destination", status: 400, detail: "'\(destination.prefix(200))' must be an absolute path; hekatonctl sends absolute paths")
        }
        let state = (stateDirectory as NSString).standardizingPath
        guard path != state, !path.hasPrefix(state + "/"), !state.hasPrefix(path + "/") else {
            throw Problem(title: "Bad backup destination", status: 400, detail: "\(path) is in the state directory \(state) (or holds it); back up somewhere beside it")
        }
        let parent = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: parent) else {
            throw Problem(title: "Bad backup destination", status: 400, detail: ServiceView(environment: ProcessInfo.processInfo.environment).missing(parent))
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Problem(title: "Bad backup destination", status: 409, detail: "\(path) exists; a backup goes to a new directory")
        }
        let backup = Backup(stateDirectory: stateDirectory, database: database, blobs: blobs)
        do {
            return try await BlockingWork.run { try backup.run(to: path) }
        } catch {
            // Half a backup is no backup: nothing is left to be mistaken for one.
            try? FileManager.default.removeItem(atPath: path)
            throw Problem(title: "Backup failed", status: 500, detail: "\(error)")
        }
    }
}
