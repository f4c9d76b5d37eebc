import TestSupport
import Foundation
import Testing
@testable import SubmissionBundle

@Suite("TarWriter")
struct TarWriterTests {
    /// A tree with what an archive must carry: nesting, an empty directory, an executable,
    /// links, an empty file, names too long for ustar's fields, and non-ASCII names.
    static func makeSampleTree(in directory: TemporaryDirectory) throws {
        try directory.write("submission.py", "class Trainer: pass\n")
        try directory.write("requirements.txt", "")
        try directory.write("bin/train.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        try directory.write("lib/model/weights.bin", Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        try directory.makeDirectory("empty/inner")
        try directory.symlink("lib/latest", to: "model")
        try directory.symlink("weights", to: "lib/model/weights.bin")
        let long = String(repeating: "segment-", count: 8)  // 64 bytes
        try directory.write("\(long)/\(long)/file-with-a-name-that-is-long-\(String(repeating: "x", count: 60)).txt", "prefix and name")
        try directory.write(String(repeating: "n", count: 120) + ".txt", "needs pax")
        try directory.write("deep/" + Array(repeating: long, count: 5).joined(separator: "/") + "/end.txt", "pax path")
        try directory.symlink("far", to: "lib/" + String(repeating: "./", count: 60) + "model/weights.bin")  // pax linkpath
        try directory.write("données/prévision-日本.txt", "unicode")
    }

    static func archive(_ listing: BundleListing, chunkSize: Int = 64 << 10) throws -> (bytes: [UInt8], chunks: [Int]) {
        var bytes: [UInt8] = []
        var chunks: [Int] = []
        try TarWriter.write(listing, chunkSize: chunkSize) { (chunk: ArraySlice<UInt8>) throws(BundleError) in
            bytes += chunk
            chunks.append(chunk.count)
        }
        return (bytes, chunks)
    }

    @Test func theSameTreeGivesTheSameBytes() throws {
        let first = try TemporaryDirectory("writer")
        let second = try TemporaryDirectory("writer-elsewhere")
        defer { first.remove(); second.remove() }
        try Self.makeSampleTree(in: first)
        try Self.makeSampleTree(in: second)
        // Different times and group/other bits must not matter.
        chmod(second("submission.py"), 0o600)
        chmod(second("bin/train.sh"), 0o700)
        var old = [timespec(tv_sec: 86_400, tv_nsec: 0), timespec(tv_sec: 86_400, tv_nsec: 0)]
        utimensat(AT_FDCWD, second("requirements.txt"), &old, 0)

        let a = try Self.archive(BundleScanner.scan(directory: first.path, maxBytes: 1 << 20))
        let b = try Self.archive(BundleScanner.scan(directory: second.path, maxBytes: 1 << 20))
        let again = try Self.archive(BundleScanner.scan(directory: first.path, maxBytes: 1 << 20))
        #expect(a.bytes == b.bytes)
        #expect(a.bytes == again.bytes)
    }

    @Test func archiveSizeIsExactAndChunksAreFixed() throws {
        let directory = try TemporaryDirectory("writer")
        defer { directory.remove() }
        try Self.makeSampleTree(in: directory)
        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 1 << 20)
        let written = try Self.archive(listing, chunkSize: 4096)
        #expect(Int64(written.bytes.count) == TarWriter.archiveSize(of: listing))
        #expect(written.bytes.count % 512 == 0)
        #expect(written.chunks.dropLast().allSatisfy { $0 == 4096 })
        #expect(written.bytes.suffix(1024).allSatisfy { $0 == 0 })
    }

    @Test func gnuTarReadsItBack() throws {
        let source = try TemporaryDirectory("writer")
        let target = try TemporaryDirectory("gnutar")
        defer { source.remove(); target.remove() }
        try Self.makeSampleTree(in: source)
        let listing = try BundleScanner.scan(directory: source.path, maxBytes: 1 << 20)
        let archive = try TemporaryArchive.write(listing)
        defer { archive.remove() }
        let listed = try ChildProcess.run("/usr/bin/tar", ["-tvf", archive.path])
        #expect(listed.status == 0, "\(listed.errors)")
        #expect(listed.errors.isEmpty, "tar warns: \(listed.errors)")
        let extracted = try ChildProcess.run("/usr/bin/tar", ["-xf", archive.path, "-C", target.path])
        #expect(extracted.status == 0, "\(extracted.errors)")
        let expected = try TreeDescription(of: source.path)
        let actual = try TreeDescription(of: target.path)
        #expect(Set(actual.nodes.keys) == Set(expected.nodes.keys))
        for (path, node) in expected.nodes {
            switch (node, actual.nodes[path]) {
            case (.file(_, let contents), .file(_, let copied)?): #expect(contents == copied, "\(path)")
            case (.directory, .directory?): break
            case (.symlink(let target), .symlink(let copied)?): #expect(target == copied, "\(path)")
            default: Issue.record("\(path): \(node) became \(String(describing: actual.nodes[path]))")
            }
        }
        // Owners and times are zero, modes normalized.
        #expect(listed.text.contains("-rwxr-xr-x 0/0"))
        #expect(listed.text.contains("1970-01-01 00:00"))
    }

    @Test func aFileThatChangedAfterTheScanFailsTheArchive() throws {
        let directory = try TemporaryDirectory("writer")
        defer { directory.remove() }
        try directory.write("model.bin", "12345")
        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 100)
        try directory.write("model.bin", "1234567")
        let error = #expect(throws: BundleError.self) { try Self.archive(listing) }
        #expect(error?.code == .fileChanged)
        #expect(error?.message.contains(directory("model.bin")) == true)
    }

    @Test func temporaryArchivesHoldTheStreamedBytes() throws {
        let directory = try TemporaryDirectory("writer")
        defer { directory.remove() }
        try Self.makeSampleTree(in: directory)
        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 1 << 20)
        let progress = ProgressLog()
        let archive = try TemporaryArchive.write(listing) { progress.append($0) }
        defer { archive.remove() }
        #expect(try archive.bytes() == Self.archive(listing).bytes)
        #expect(archive.byteCount == TarWriter.archiveSize(of: listing))
        #expect(progress.values.last == BundleProgress(files: listing.fileCount, bytes: listing.totalBytes))
        var info = stat()
        #expect(stat(archive.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}
