import ControlAPI
import Foundation
import Lineage

/// `hekatonctl fsck` and `hekatonctl gc`: the blob store checked and pruned against every
/// reference every module's tables hold.
extension DaemonContext {
    func blobReferences() throws -> BlobReferences {
        try database.read { db in try blobs.references(db, from: DaemonDatabase.blobReferences) }
    }

    func checkBlobStore() throws -> FsckReport {
        let references = try blobReferences()
        let report = try blobs.verify(referenced: references.digests)
        func blob(_ digest: Digest) -> FsckReport.Blob {
            FsckReport.Blob(digest: digest.description, path: blobs.path(for: digest), usedBy: references.owners[digest]?.description)
        }
        return FsckReport(checkedBlobs: report.checkedBlobs, checkedBytes: report.checkedBytes, referencedBlobs: references.owners.count,
                          corrupted: report.corrupted.map(blob), missing: report.missing.map(blob), strayFiles: report.strayFiles)
    }

    func collectGarbage(gracePeriod: Duration, dryRun: Bool) throws -> GCReport {
        let report: GarbageCollectionReport
        do {
            report = try blobs.garbageCollect(try blobReferences(), gracePeriod: gracePeriod, now: Date(), dryRun: dryRun)
        } catch let error as LineageError where error.isStorageDamage {
            throw Problem.storage(error)
        }
        return GCReport(dryRun: report.dryRun, removedBlobs: report.removedBlobs.map(\.description),
                        removedBytes: report.removedBlobBytes, keptYoungBlobs: report.keptYoungBlobs,
                        removedTemporaryFiles: report.removedTemporaryFiles, keptTemporaryFiles: report.keptTemporaryFiles)
    }
}
