import Foundation
import TestSupport
import Testing
@testable import Lineage
#if canImport(Glibc)
import Glibc
#endif

@Suite("Tree snapshots")
struct TreeSnapshotTests {
    /// A small dataset: nested files, an executable, an empty directory, an inside link.
    private func makeSampleTree(_ directory: TemporaryDirectory, at root: String = "data") throws {
        try directory.write("\(root)/train.csv", "user,item,rating\n1,2,5\n")
        try directory.write("\(root)/test/features.csv", "user,item\n1,3\n")
        try directory.write("\(root)/test/labels.csv", "rating\n4\n")
        try directory.write("\(root)/bin/prepare.sh", "#!/bin/sh\necho ok\n", mode: 0o755)
        try directory.makeDirectory("\(root)/empty")
        try directory.symlink("\(root)/latest.csv", to: "train.csv")
        try directory.symlink("\(root)/test/features-link.csv", to: "../test/./features.csv")
    }

    @Test("the root digest depends on content, not on when or in which order files were written")
    func deterministicRoot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try TreeSnapshot(store: BlobStore(root: directory("blobs")))
        try makeSampleTree(directory, at: "a")
        // The same tree again, created in the opposite order and with another umask's modes.
        try directory.makeDirectory("b/empty")
        try directory.write("b/bin/prepare.sh", "#!/bin/sh\necho ok\n", mode: 0o700)
        try directory.write("b/test/labels.csv", "rating\n4\n", mode: 0o600)
        try directory.write("b/test/features.csv", "user,item\n1,3\n", mode: 0o664)
        try directory.symlink("b/test/features-link.csv", to: "../test/./features.csv")
        try directory.write("b/train.csv", "user,item,rating\n1,2,5\n")
        try directory.symlink("b/latest.csv", to: "train.csv")

        let first = try snapshot.capture(directory("a")).rootDigest
        let again = try snapshot.capture(directory("a")).rootDigest
        let copy = try snapshot.capture(directory("b")).rootDigest

        #expect(first == again)
        #expect(first == copy)
        try directory.write("b/test/labels.csv", "rating\n5\n")
        #expect(try snapshot.capture(directory("b")).rootDigest != first, "changed content changes the root")
    }

    @Test("a manifest is the same whatever order its entries are given in")
    func orderIndependence() throws {
        let digest = Digest.of(Data("x".utf8))
        let entries: [TreeManifest.Entry] = [
            .init(path: "a", kind: .directory),
            .init(path: "a/x", kind: .file(digest: digest, size: 1, executable: false)),
            .init(path: "a-b", kind: .file(digest: digest, size: 1, executable: true)),
            .init(path: "z", kind: .symlink(target: "a/x")),
        ]
        let forward = try TreeManifest(entries: entries)
        let backward = try TreeManifest(entries: entries.reversed())
        #expect(forward == backward)
        #expect(forward.rootDigest == backward.rootDigest)
        // Byte order: '-' (0x2D) sorts before '/' (0x2F).
        #expect(forward.entries.map(\.path) == ["a", "a-b", "a/x", "z"])
        #expect(forward.totalSize == 2 && forward.fileCount == 2)
    }

    @Test("paths sort by their UTF-8 bytes", arguments: [
        ("a", "a-b"), ("a-b", "a/b"), ("A", "a"), ("z", "é"), ("e\u{301}", "é"), ("", "a"),
    ])
    func byteOrder(lower: String, higher: String) {
        #expect(TreeManifest.precedesInByteOrder(lower, higher))
        #expect(!TreeManifest.precedesInByteOrder(higher, lower))
        #expect(!TreeManifest.precedesInByteOrder(lower, lower))
    }

    @Test("two spellings of a name that Swift calls equal are two files")
    func unicodeSpellings() throws {
        let digest = Digest.of(Data("x".utf8))
        let manifest = try TreeManifest(entries: [
            .init(path: "caf\u{E9}", kind: .file(digest: digest, size: 1, executable: false)),
            .init(path: "cafe\u{301}", kind: .file(digest: digest, size: 1, executable: false)),
        ])
        #expect(manifest.fileCount == 2)
        #expect(manifest.entries.map { Array($0.path.utf8) } == [Array("cafe\u{301}".utf8), Array("caf\u{E9}".utf8)])
    }

    @Test("clean relative paths", arguments: [
        ("a", true), ("a/b.csv", true), (".hidden", true), ("a..b", true), ("...", true), ("d/.x/y", true),
        ("", false), (".", false), ("..", false), ("a/./b", false), ("a/../b", false), ("/a", false),
        ("a/", false), ("a//b", false), ("a/..", false), ("nul\u{0}", false),
    ])
    func cleanPaths(path: String, clean: Bool) {
        #expect(TreeManifest.isCleanRelativePath(path) == clean)
    }

    @Test("the canonical encoding is pinned, and its SHA-256 is the root digest")
    func canonicalEncoding() throws {
        let digest = Digest.of(Data("x".utf8))
        let manifest = try TreeManifest(entries: [
            .init(path: "d", kind: .directory),
            .init(path: "d/run.sh", kind: .file(digest: digest, size: 1, executable: true)),
            .init(path: "l", kind: .symlink(target: "d/run.sh")),
            .init(path: "q\"\n", kind: .file(digest: digest, size: 1, executable: false)),
        ])
        let text = String(decoding: manifest.encoded(), as: UTF8.self)
        #expect(text == #"{"entries":[{"path":"d","type":"directory"},{"digest":"\#(digest)","mode":"0755","path":"d/run.sh","size":1,"type":"file"},{"path":"l","target":"d/run.sh","type":"symlink"},{"digest":"\#(digest)","mode":"0644","path":"q\"\n","size":1,"type":"file"}],"format":"hekaton.tree.v1"}"#)
        #expect(manifest.rootDigest == Digest.of(manifest.encoded()))
        #expect(try TreeManifest(decoding: manifest.encoded()) == manifest)
    }

    @Test("stored manifests that are unsafe or not canonical are refused", arguments: [
        #"{"entries":[{"digest":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","mode":"0644","path":"../escape","size":1,"type":"file"}],"format":"hekaton.tree.v1"}"#,
        #"{"entries":[{"digest":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","mode":"0644","path":"/abs","size":1,"type":"file"}],"format":"hekaton.tree.v1"}"#,
        #"{"entries":[{"digest":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","mode":"0644","path":"a/b","size":1,"type":"file"}],"format":"hekaton.tree.v1"}"#,
        #"{"entries":[{"path":"l","target":"../../etc/passwd","type":"symlink"}],"format":"hekaton.tree.v1"}"#,
        #"{"entries":[{"path":"d","type":"directory"}], "format":"hekaton.tree.v1"}"#,
        #"{"entries":[],"format":"hekaton.tree.v9"}"#,
    ])
    func refusesBadManifests(json: String) {
        #expect(throws: LineageError.self) { try TreeManifest(decoding: Data(json.utf8)) }
    }

    @Test("capture stores every file and the manifest; the second capture writes nothing")
    func captureStoresAndDedupes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let snapshot = TreeSnapshot(store: store)
        try makeSampleTree(directory)

        let first = try snapshot.capture(directory("data"))
        let second = try snapshot.capture(directory("data"))

        #expect(first.manifest.fileCount == 4)
        #expect(first.blobsWritten == 5, "four files and the manifest")
        #expect(first.bytesWritten == first.manifest.totalSize + Int64(first.manifest.encoded().count))
        #expect(second.rootDigest == first.rootDigest)
        #expect(second.bytesWritten == 0 && second.blobsWritten == 0)
        #expect(second.bytesRead == first.manifest.totalSize, "unchanged data is read once, to hash it")
        #expect(try snapshot.manifest(stored: first.rootDigest) == first.manifest)
        for case .file(let digest, _, _) in first.manifest.entries.map(\.kind) {
            #expect(store.contains(digest))
        }
        #expect(try snapshot.manifest(of: directory("data")) == first.manifest)
        let entry = try #require(first.manifest.entries.first { $0.path == "bin/prepare.sh" })
        #expect(entry.mode == "0755")
        #expect(first.manifest.entries.contains(.init(path: "empty", kind: .directory)))
        #expect(first.manifest.entries.contains(.init(path: "latest.csv", kind: .symlink(target: "train.csv"))))
    }

    @Test("reports progress up to the totals")
    func progress() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeSampleTree(directory)
        let snapshot = try TreeSnapshot(store: BlobStore(root: directory("blobs")), width: 2)
        let reports = Reports()
        let report = try snapshot.capture(directory("data")) { reports.append($0) }
        let last = try #require(reports.all.last)
        #expect(last.filesDone == 4 && last.filesTotal == 4)
        #expect(last.bytesDone == report.manifest.totalSize && last.bytesTotal == report.manifest.totalSize)
        #expect(last.fractionDone == 1)
    }

    @Test("a single file is a tree of one entry named after it")
    func singleFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ratings.parquet", "PAR1")
        let report = try TreeSnapshot(store: BlobStore(root: directory("blobs"))).capture(file)
        #expect(report.manifest.entries.map(\.path) == ["ratings.parquet"])
        #expect(report.manifest.totalSize == 4)
    }

    @Test("links that leave the tree are refused, naming the link", arguments: [
        ("outside.csv", "../secret.csv"),
        ("nested/up", "../../secret.csv"),
        ("absolute", "/etc/passwd"),
        // Text says "inside"; the kernel follows `deep/er/root` to the top and `..` leaves.
        ("sneaky", "deep/er/root/../secret.csv"),
    ])
    func linksOutsideRejected(link: String, target: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("secret.csv", "not yours")
        try directory.write("data/nested/file.csv", "ok")
        try directory.makeDirectory("data/deep/er")
        try directory.symlink("data/deep/er/root", to: "../..")
        try directory.symlink("data/\(link)", to: target)
        let snapshot = try TreeSnapshot(store: BlobStore(root: directory("blobs")))

        let error = #expect(throws: LineageError.self) { try snapshot.capture(directory("data")) }
        #expect(error?.code == .symlinkOutsideTree)
        #expect(error?.path == directory("data/\(link)"))
        #expect(error?.message.contains(directory("data/\(link)")) == true)
        #expect(try BlobStore(root: directory("blobs")).digests().isEmpty, "nothing is stored")
    }

    @Test("FIFOs and devices are refused, naming the path")
    func specialFilesRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try TreeSnapshot(store: BlobStore(root: directory("blobs")))
        try directory.write("fifo/data.csv", "ok")
        #expect(mkfifo(directory("fifo/pipe"), 0o644) == 0)
        let fifoError = #expect(throws: LineageError.self) { try snapshot.capture(directory("fifo")) }
        #expect(fifoError?.code == .unsupportedFileType)
        #expect(fifoError?.message.contains(directory("fifo/pipe")) == true)
        #expect(fifoError?.message.contains("FIFO") == true)

        // Creating a device node needs privilege; where it is allowed, it must be refused too.
        try directory.write("device/data.csv", "ok")
        let null = dev_t((1 << 8) | 3)  // major 1, minor 3, as /dev/null
        if mknod(directory("device/null"), S_IFCHR | 0o666, null) == 0 {
            let deviceError = #expect(throws: LineageError.self) { try snapshot.capture(directory("device")) }
            #expect(deviceError?.code == .unsupportedFileType)
            #expect(deviceError?.message.contains(directory("device/null")) == true)
        }
    }

    @Test("a path that cannot be read is refused, naming it")
    func unreadableRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try TreeSnapshot(store: BlobStore(root: directory("blobs")))
        let unreadable: String
        if geteuid() == 0 {
            // Root reads through permission bits, but not this write-only kernel setting.
            unreadable = "/proc/sys/vm/drop_caches"
        } else {
            unreadable = try directory.write("data/locked.csv", "secret", mode: 0o000)
        }
        let error = #expect(throws: LineageError.self) { try snapshot.capture(geteuid() == 0 ? unreadable : directory("data")) }
        #expect(error?.code == .unreadablePath)
        #expect(error?.path == unreadable)
        #expect(error?.message.contains(unreadable) == true)

        let missing = #expect(throws: LineageError.self) { try snapshot.capture(directory("no-such-dir")) }
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains(directory("no-such-dir")) == true)
    }

    @Test("materialize recreates the tree read-only with identical content")
    func materialize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        let snapshot = TreeSnapshot(store: store)
        try makeSampleTree(directory)
        let report = try snapshot.capture(directory("data"))

        try snapshot.materialize(report.rootDigest, into: directory("copy"))

        #expect(try snapshot.capture(directory("copy")).rootDigest == report.rootDigest)
        for entry in report.manifest.entries {
            let path = directory("copy/\(entry.path)")
            var info = stat()
            #expect(lstat(path, &info) == 0)
            switch entry.kind {
            case .file(let digest, _, let executable):
                #expect(FileManager.default.contents(atPath: path) == (try store.read(digest)))
                #expect(info.st_mode & 0o222 == 0, "\(entry.path) is read-only")
                #expect((info.st_mode & 0o111 != 0) == executable)
                if !executable {
                    var blob = stat()
                    stat(store.path(for: digest), &blob)
                    #expect(info.st_ino == blob.st_ino, "\(entry.path) is a hard link to its blob")
                }
            case .directory:
                #expect(info.st_mode & 0o777 == 0o555)
            case .symlink(let target):
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
            }
        }
        var root = stat()
        stat(directory("copy"), &root)
        #expect(root.st_mode & 0o777 == 0o555)

        let error = #expect(throws: LineageError.self) { try snapshot.materialize(report.rootDigest, into: directory("data")) }
        #expect(error?.code == .conflict, "a non-empty destination is refused")
    }

    @Test("materialize refuses a tree whose blobs are missing, creating nothing")
    func materializeMissingBlob() throws {
        let (directory, store, snapshot, report) = try capturedSample()
        defer { directory.remove() }
        let lost = try #require(report.manifest.digest(of: "train.csv"))
        try FileManager.default.removeItem(atPath: store.path(for: lost))

        let error = #expect(throws: LineageError.self) { try snapshot.materialize(report.manifest, into: directory("copy")) }
        #expect(error?.code == .missingBlob)
        #expect(error?.message.contains(lost.description) == true)
        #expect(!FileManager.default.fileExists(atPath: directory("copy")))
    }

    /// The sample tree captured into a fresh store.
    private func capturedSample() throws -> (TemporaryDirectory, BlobStore, TreeSnapshot, SnapshotReport) {
        let directory = try TemporaryDirectory()
        let store = try BlobStore(root: directory("blobs"))
        let snapshot = TreeSnapshot(store: store)
        try makeSampleTree(directory)
        return (directory, store, snapshot, try snapshot.capture(directory("data")))
    }

    @Test("materialize checks every file against its digest: a damaged blob, linked or copied, fails as a storage error naming it, and leaves nothing",
          arguments: ["train.csv", "bin/prepare.sh"])
    func materializeDamagedBlob(path: String) throws {
        let (directory, store, snapshot, report) = try capturedSample()
        defer { directory.remove() }
        let damaged = try #require(report.manifest.digest(of: path))
        try Damage.flipByte(in: store.path(for: damaged))

        let error = #expect(throws: LineageError.self) { try snapshot.materialize(report.rootDigest, into: directory("copy")) }
        #expect(error?.code == .corruptBlob)
        #expect(error?.isStorageDamage == true)
        #expect(error?.path == store.path(for: damaged))
        let message = error?.message ?? ""
        #expect(message.hasPrefix("storage error"), "\(message)")
        #expect(message.contains(damaged.description) && message.contains(store.path(for: damaged)), "\(message)")
        #expect(message.contains("hekatonctl fsck"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: directory("copy")), "no half-made tree passes for a whole one")
    }

    @Test("a damaged manifest is a storage error, not a tree read wrongly")
    func materializeDamagedManifest() throws {
        let (directory, store, snapshot, report) = try capturedSample()
        defer { directory.remove() }
        try Damage.flipByte(in: store.path(for: report.rootDigest), at: 30)

        let error = #expect(throws: LineageError.self) { try snapshot.materialize(report.rootDigest, into: directory("copy")) }
        #expect(error?.code == .corruptBlob)
        #expect(error?.message.contains(report.rootDigest.description) == true)
        #expect(!FileManager.default.fileExists(atPath: directory("copy")))
    }
}

/// Collects progress reports from the hashing threads.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [SnapshotProgress] = []

    func append(_ report: SnapshotProgress) { lock.withLock { reports.append(report) } }
    var all: [SnapshotProgress] { lock.withLock { reports } }
}
