import TestSupport
import Foundation
import Testing
@testable import Lineage
#if canImport(Glibc)
import Glibc
#endif

@Suite("Blob store")
struct BlobStoreTests {
    @Test("stores content once, read-only, under its digest")
    func storeAndDedupe() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let content = Data("hello, lineage\n".utf8)

        let first = try store.store(content)
        let second = try store.store(content)

        #expect(first.digest == Digest.of(content))
        #expect(!first.wasPresent && first.bytesWritten == Int64(content.count))
        #expect(second.digest == first.digest)
        #expect(second.wasPresent && second.bytesWritten == 0)
        let path = store.path(for: first.digest)
        #expect(path == directory("blobs/sha256/\(first.digest.hex.prefix(2))/\(first.digest.hex)"))
        #expect(try store.read(first.digest) == content)
        #expect(try store.size(of: first.digest) == Int64(content.count))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o444)
        #expect(try store.digests() == [first.digest])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory("blobs/tmp")).isEmpty)
    }

    @Test("stores a file and a stream with the same digest as their bytes")
    func storeFileAndStream() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = try directory.write("input.bin", content)

        let fromFile = try store.store(contentsOf: file)
        let pipe = Pipe()
        let writer = Thread {
            pipe.fileHandleForWriting.write(content)
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let fromStream = try store.store(from: pipe.fileHandleForReading)

        #expect(fromFile.digest == Digest.of(content))
        #expect(fromStream.digest == fromFile.digest)
        #expect(fromStream.wasPresent)
        #expect(fromStream.size == Int64(content.count))
        #expect(try store.digests().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory("blobs/tmp")).isEmpty, "the duplicate copy is discarded")
    }

    @Test("streams a 64 MiB file through a fixed buffer")
    func streamsLargeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let file = directory("large.bin")
        let size = 64 << 20
        try writeGeneratedFile(file, size: size)

        resetPeakMemory()
        let residentBefore = memoryStatus("VmRSS")
        let stored = try store.store(contentsOf: file)
        let peakGrowth = memoryStatus("VmHWM") - residentBefore

        let reference = try ChildProcess.run("/usr/bin/sha256sum", [file])
        #expect(reference.status == 0)
        #expect(stored.digest.hex == String(reference.text.prefix(64)))
        #expect(stored.size == Int64(size))
        #expect(try store.size(of: stored.digest) == Int64(size))
        // A whole-file read would raise the peak by 64 MiB; the stream needs a few buffers.
        #expect(peakGrowth < 32 << 20, "resident memory peaked \(peakGrowth >> 20) MiB above its start")
    }

    @Test("fsck finds a blob whose bytes changed and one that was deleted")
    func verifyFindsCorruptionAndLoss() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let intact = try store.store(Data("intact".utf8)).digest
        let tampered = try store.store(Data("tampered".utf8)).digest
        let deleted = try store.store(Data("deleted".utf8)).digest
        let healthy = try store.verify(referenced: [intact, tampered, deleted])
        #expect(healthy.isHealthy && healthy.checkedBlobs == 3)

        let tamperedPath = store.path(for: tampered)
        chmod(tamperedPath, 0o644)
        try Data("tampereD".utf8).write(to: URL(fileURLWithPath: tamperedPath))
        try FileManager.default.removeItem(atPath: store.path(for: deleted))
        try directory.write("blobs/sha256/\(intact.hex.prefix(2))/not-a-digest", "stray")

        let report = try store.verify(referenced: [intact, tampered, deleted])
        #expect(report.corrupted == [tampered])
        #expect(report.missing == [deleted])
        #expect(report.checkedBlobs == 2)
        #expect(report.strayFiles == [directory("blobs/sha256/\(intact.hex.prefix(2))/not-a-digest")])
        #expect(!report.isHealthy)
    }

    @Test("gc keeps referenced and young blobs and fresh temporary files")
    func garbageCollection() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let now = Date()
        let referencedOld = try store.store(Data("referenced".utf8)).digest
        let unreferencedOld = try store.store(Data("garbage".utf8)).digest
        let unreferencedYoung = try store.store(Data("just written".utf8)).digest
        let staleTemporary = try directory.write("blobs/tmp/dead-writer.partial", "half a blob")
        let liveTemporary = try directory.write("blobs/tmp/live-writer.partial", "being written")
        for path in [store.path(for: referencedOld), store.path(for: unreferencedOld), staleTemporary] {
            try setModificationTime(path, now.addingTimeInterval(-2 * 3600))
        }

        let dryRun = try store.garbageCollect(referenced: [referencedOld], gracePeriod: .seconds(3600), now: now, dryRun: true)
        #expect(dryRun.removedBlobs == [unreferencedOld])
        #expect(dryRun.removedTemporaryFiles == 1)
        #expect(store.contains(unreferencedOld), "a dry run removes nothing")
        #expect(FileManager.default.fileExists(atPath: staleTemporary))

        let report = try store.garbageCollect(referenced: [referencedOld], gracePeriod: .seconds(3600), now: now)
        #expect(report.removedBlobs == [unreferencedOld])
        #expect(report.removedBlobBytes == Int64("garbage".utf8.count))
        #expect(report.keptYoungBlobs == 1)
        #expect(report.removedTemporaryFiles == 1 && report.keptTemporaryFiles == 1)
        #expect(!store.contains(unreferencedOld))
        #expect(store.contains(referencedOld) && store.contains(unreferencedYoung))
        #expect(!FileManager.default.fileExists(atPath: staleTemporary))
        #expect(FileManager.default.fileExists(atPath: liveTemporary))
    }

    @Test("storing content again protects it from the next collection")
    func storingAgainRefreshesGrace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let content = Data("about to be referenced".utf8)
        let digest = try store.store(content).digest
        try setModificationTime(store.path(for: digest), Date().addingTimeInterval(-7200))

        _ = try store.store(content)
        let report = try store.garbageCollect(referenced: [], gracePeriod: .seconds(3600), now: Date())

        #expect(report.removedBlobs.isEmpty)
        #expect(store.contains(digest))
    }

    @Test("concurrent writers of the same content leave one blob and no temporary files")
    func concurrentWriters() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let content = Data(repeating: 7, count: 1 << 20)
        let digests = ResultSlots<Digest>(count: 16)
        try ParallelWork.forEach(count: 16, width: 8) { _, item in
            digests[item] = try store.store(content).digest
        }
        #expect(Set(digests.values.compactMap { $0 }).count == 1)
        #expect(try store.digests().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory("blobs/tmp")).isEmpty)
        #expect(try store.verify().isHealthy)
    }

    @Test("a write that fails part-way leaves no blob and no temporary file")
    func failedWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        // Reading a directory fails with EISDIR: a source that breaks mid-store.
        let broken = try #require(FileHandle(forReadingAtPath: directory.path))
        defer { try? broken.close() }

        #expect(throws: LineageError.self) { try store.store(from: broken) }
        #expect(try store.digests().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory("blobs/tmp")).isEmpty)
    }

    @Test("content that changed after it was hashed is not stored under the old digest")
    func changedAfterHashing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let file = try directory.write("growing.csv", "rows written later\n")
        let hashedEarlier = Digest.of(Data("rows\n".utf8))
        let source = try LineageFile.open(file, .readOnly)
        defer { source.close() }

        let error = #expect(throws: LineageError.self) {
            try ChunkBuffer.with { try store.store(copying: source, expecting: hashedEarlier, buffer: $0) }
        }
        #expect(error?.code == .fileChanged)
        #expect(error?.message.contains(file) == true)
        #expect(!store.contains(hashedEarlier))
        #expect(try store.digests().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory("blobs/tmp")).isEmpty)
    }

    @Test("what a killed writer leaves behind is invisible to readers and fsck, and gc clears it")
    func killedWriterLeftovers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let content = Data(repeating: 42, count: 3 << 20)
        let digest = Digest.of(content)
        // A writer killed after writing a third of the blob: only its temporary file exists.
        let leftover = try directory.write("blobs/tmp/5eed.partial", content.prefix(1 << 20))
        try setModificationTime(leftover, Date().addingTimeInterval(-7200))

        #expect(!store.contains(digest))
        #expect(try store.verify().isHealthy, "a partial write is never under a digest's name")
        let stored = try store.store(content)
        #expect(stored.digest == digest && !stored.wasPresent, "the next write succeeds")
        #expect(try store.read(digest) == content)

        let report = try store.garbageCollect(referenced: [digest], gracePeriod: .seconds(3600), now: Date())
        #expect(report.removedTemporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(store.contains(digest))
    }

    @Test("a missing blob is an error that names fsck")
    func missingBlob() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let absent = Digest.of(Data("never stored".utf8))
        let error = #expect(throws: LineageError.self) { try store.read(absent) }
        #expect(error?.code == .missingBlob)
        #expect(error?.isStorageDamage == true)
        #expect(error?.message.contains("fsck") == true)
        #expect(error?.message.contains(store.path(for: absent)) == true)
        #expect(!store.contains(absent))
    }
}

/// Writes deterministic, incompressible-looking bytes one mebibyte at a time.
func writeGeneratedFile(_ path: String, size: Int, seed: UInt64 = 1) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var remaining = size
    var chunk = [UInt64](repeating: 0, count: (1 << 20) / 8)
    while remaining > 0 {
        for index in chunk.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            chunk[index] = state
        }
        let count = min(remaining, 1 << 20)
        chunk.withUnsafeBytes { handle.write(Data($0.prefix(count))) }
        remaining -= count
    }
}

func setModificationTime(_ path: String, _ date: Date) throws {
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
}

/// Resets the kernel's record of peak resident memory (`VmHWM`) to the current size.
private func resetPeakMemory() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// A `/proc/self/status` memory figure in bytes.
private func memoryStatus(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
}
