import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HekatonHashing
import HekatonSupport

/// Checking and pruning: `hekatonctl fsck` and `hekatonctl gc`.
extension BlobStore {
    struct Inventory: Sendable {
        struct Blob: Sendable {
            var digest: Digest
            var path: String
        }

        var blobs: [Blob] = []
        var strayFiles: [String] = []
    }

    /// Every stored digest, in order.
    public func digests() throws -> [Digest] {
        try inventory().blobs.map(\.digest)
    }

    func inventory() throws -> Inventory {
        var inventory = Inventory()
        for fanOut in try FileSystem.entries(of: objectsDirectory).sorted() {
            let directory = FileSystem.join(objectsDirectory, fanOut)
            guard fanOut.utf8.count == 2, fanOut.utf8.allSatisfy(\.isHexDigit), fanOut == fanOut.lowercased(),
                  FileSystem.status(directory)?.isDirectory == true
            else {
                inventory.strayFiles.append(directory)
                continue
            }
            for name in try FileSystem.entries(of: directory).sorted() {
                let path = FileSystem.join(directory, name)
                if let digest = try? Digest(hex: name), digest.hex == name, name.hasPrefix(fanOut) {
                    inventory.blobs.append(.init(digest: digest, path: path))
                } else {
                    inventory.strayFiles.append(path)
                }
            }
        }
        return inventory
    }

    /// Re-hashes every blob on `width` threads. A blob whose bytes no longer match its name
    /// is reported corrupted (never repaired: its true content is unknown); a digest in
    /// `referenced` with no blob is reported missing. `width` defaults to every core.
    public func verify(referenced: Set<Digest> = [], width: Int? = nil) throws -> BlobVerificationReport {
        let width = width ?? ParallelWork.defaultWidth
        let inventory = try inventory()
        let outcomes = ResultSlots<(intact: Bool, size: Int64)>(count: inventory.blobs.count)
        let buffers = ChunkBuffer.PerWorker(width: width)
        try ParallelWork.forEach(count: inventory.blobs.count, width: width) { worker, item in
            let blob = inventory.blobs[item]
            do {
                let file = try LineageFile.open(blob.path, .readOnly)
                defer { file.close() }
                let (hex, size) = try file.hashToEnd(buffer: buffers[worker])
                outcomes[item] = (Digest(computed: hex) == blob.digest, size)
            } catch let error as LineageError where error.code == .notFound {
                // Removed by a concurrent garbage collection: not a fault of the store.
            } catch {
                // Bytes that cannot be read are as lost as bytes that changed.
                outcomes[item] = (false, 0)
            }
        }

        var report = BlobVerificationReport(checkedBlobs: 0, checkedBytes: 0, corrupted: [], missing: [], strayFiles: inventory.strayFiles)
        for (blob, outcome) in zip(inventory.blobs, outcomes.values) {
            guard let outcome else { continue }
            report.checkedBlobs += 1
            report.checkedBytes += outcome.size
            if !outcome.intact { report.corrupted.append(blob.digest) }
        }
        let present = Set(inventory.blobs.map(\.digest))
        report.missing = referenced.subtracting(present).sorted()
        return report
    }

    /// `garbageCollect(referenced:…)` with every reference the records hold; refused when a
    /// referenced tree cannot be read, since the files it lists would look unreferenced.
    public func garbageCollect(
        _ references: BlobReferences, gracePeriod: Duration, now: Date, dryRun: Bool = false
    ) throws -> GarbageCollectionReport {
        try references.requireComplete()
        return try garbageCollect(referenced: references.digests, gracePeriod: gracePeriod, now: now, dryRun: dryRun)
    }

    /// True when at least one blob is stored; stops at the first one found.
    public func holdsAnyBlob() throws -> Bool {
        for fanOut in try FileSystem.entries(of: objectsDirectory) {
            let directory = FileSystem.join(objectsDirectory, fanOut)
            guard FileSystem.status(directory)?.isDirectory == true else { continue }
            if try !FileSystem.entries(of: directory).isEmpty { return true }
        }
        return false
    }

    /// Removes blobs that nothing references and that have not been written or adopted for
    /// `gracePeriod`, and temporary files older than `gracePeriod`. Younger files are kept:
    /// a writer may own a temporary file, or be about to commit a reference to a blob it
    /// just stored. `now` is injected so tests can drive the clock.
    public func garbageCollect(
        referenced: Set<Digest>, gracePeriod: Duration, now: Date, dryRun: Bool = false
    ) throws -> GarbageCollectionReport {
        let cutoff = now.timeIntervalSince1970 - gracePeriod.seconds
        var report = GarbageCollectionReport(dryRun: dryRun)

        var candidates: [Inventory.Blob] = []
        for blob in try inventory().blobs where !referenced.contains(blob.digest) {
            guard let info = FileSystem.status(blob.path) else { continue }
            if info.modificationTime < cutoff {
                candidates.append(blob)
            } else {
                report.keptYoungBlobs += 1
            }
        }

        // Deletion re-checks each candidate under the exclusive lock: a writer may have
        // adopted it since it was listed.
        try lock.withLock(.exclusive) {
            for blob in candidates {
                guard let info = FileSystem.status(blob.path) else { continue }
                guard info.modificationTime < cutoff else {
                    report.keptYoungBlobs += 1
                    continue
                }
                if !dryRun { try FileSystem.remove(blob.path) }
                report.removedBlobs.append(blob.digest)
                report.removedBlobBytes += Int64(info.st_size)
            }
        }

        for name in try FileSystem.entries(of: temporaryDirectory) {
            let path = FileSystem.join(temporaryDirectory, name)
            guard let info = try? FileSystem.linkStatus(path) else { continue }
            if info.modificationTime < cutoff {
                if !dryRun { try FileSystem.remove(path) }
                report.removedTemporaryFiles += 1
                report.removedTemporaryBytes += Int64(info.st_size)
            } else {
                report.keptTemporaryFiles += 1
            }
        }
        return report
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
