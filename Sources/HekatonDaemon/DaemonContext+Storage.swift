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
        let blobs = blobs
        let report = try await BlockingWork.run { try blobs.verify(referenced: references.digests) }
        func blob(_ digest: Digest) -> FsckReport.Blob {
            FsckReport.Blob(digest: digest.description, path: blobs.path(for: digest), usedBy: references.owners[digest]?.description)
        }
        return FsckReport(checkedBlobs: report.checkedBlobs, checkedBytes: report.checkedBytes, referencedBlobs: references.owners.count,
                          corrupted: report.corrupted.map(blob), missing: report.missing.map(blob), strayFiles: report.strayFiles)
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
}
