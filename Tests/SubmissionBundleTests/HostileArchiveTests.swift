import Foundation
import Testing
@testable import SubmissionBundle

/// Archives crafted to attack the extracting machine. Each must be refused with an error
/// naming the entry, and nothing may appear outside the destination.
@Suite("Hostile archives")
struct HostileArchiveTests {
    /// A scratch directory holding the destination `dest`, so anything written beside it is seen.
    struct Arena {
        let scratch: TemporaryDirectory
        var destination: String { scratch("dest") }

        init() throws {
            scratch = try TemporaryDirectory("hostile")
            try scratch.makeDirectory("dest")
        }

        /// Everything in the scratch directory outside `dest`.
        func outside() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0 != "dest" }.sorted()
        }

        func extract(_ build: (inout TarWriter) throws(BundleError) -> Void, finish: Bool = true, maxBytes: Int64 = 1 << 20,
                     maxEntries: Int = 100) throws(BundleError) -> TarExtractor.Summary {
            try TarExtractor.extract(from: HostileArchiveTests.archive(build, finish: finish), into: destination,
                                     maxBytes: maxBytes, maxEntries: maxEntries)
        }
    }

    static func archive(_ build: (inout TarWriter) throws(BundleError) -> Void, finish: Bool = true) throws(BundleError) -> [UInt8] {
        let bytes = ByteSink()
        var writer = TarWriter(chunkSize: 512) { (chunk: ArraySlice<UInt8>) throws(BundleError) in bytes.append(chunk) }
        try build(&writer)
        if finish { try writer.finish() } else { try writer.flush() }
        return bytes.bytes
    }

    struct Attack: CustomTestStringConvertible, Sendable {
        let name: String
        let code: BundleError.Code
        /// The entry the error must name.
        let entry: String
        let build: @Sendable (inout TarWriter, String) throws(BundleError) -> Void
        var testDescription: String { name }
    }

    static let attacks: [Attack] = [
        Attack(name: "parent traversal", code: .unsafePath, entry: "../evil") { w, _ throws(BundleError) in
            try w.appendFile("../evil", contents: Array("pwned".utf8))
        },
        Attack(name: "traversal in the middle", code: .unsafePath, entry: "a/../../evil") { w, _ throws(BundleError) in
            try w.appendFile("a/../../evil", contents: Array("pwned".utf8))
        },
        Attack(name: "absolute path", code: .unsafePath, entry: "/abs-evil") { w, scratch throws(BundleError) in
            // The absolute path is inside the scratch directory, so the test would see it written.
            try w.appendFile(scratch + "/abs-evil", contents: Array("pwned".utf8))
        },
        Attack(name: "symlink out, then a file through it", code: .symlinkEscapes, entry: "escape") { w, _ throws(BundleError) in
            try w.appendSymlink("escape", target: "..")
            try w.appendFile("escape/evil", contents: Array("pwned".utf8))
        },
        Attack(name: "absolute symlink", code: .symlinkEscapes, entry: "etc") { w, _ throws(BundleError) in
            try w.appendSymlink("etc", target: "/etc")
        },
        Attack(name: "file through an inside symlink", code: .unsafePath, entry: "alias/evil") { w, _ throws(BundleError) in
            try w.appendDirectory("real")
            try w.appendSymlink("alias", target: "real")
            try w.appendFile("alias/evil", contents: Array("x".utf8))
        },
        Attack(name: "a later link makes an earlier one escape", code: .symlinkEscapes, entry: "a") { w, _ throws(BundleError) in
            // `a -> b/..` is the root while `b` is a name; once `b -> .`, `a` is the root's parent.
            try w.appendSymlink("a", target: "b/..")
            try w.appendSymlink("b", target: ".")
        },
        Attack(name: "symlink loop", code: .symlinkEscapes, entry: "loop") { w, _ throws(BundleError) in
            try w.appendSymlink("loop", target: "loop")
        },
        Attack(name: "hard link", code: .unsupportedFileType, entry: "passwd") { w, _ throws(BundleError) in
            try w.append(TarHeader(path: "passwd", type: .hardLink, linkTarget: "/etc/passwd"))
        },
        Attack(name: "character device", code: .unsupportedFileType, entry: "null") { w, _ throws(BundleError) in
            try w.append(TarHeader(path: "null", type: .characterDevice, mode: 0o666))
        },
        Attack(name: "FIFO", code: .unsupportedFileType, entry: "pipe") { w, _ throws(BundleError) in
            try w.append(TarHeader(path: "pipe", type: .fifo))
        },
        Attack(name: "duplicate file", code: .duplicateEntry, entry: "submission.py") { w, _ throws(BundleError) in
            try w.appendFile("submission.py", contents: Array("good".utf8))
            try w.appendFile("./submission.py", contents: Array("evil".utf8))
        },
        Attack(name: "file over an implicit directory", code: .duplicateEntry, entry: "a") { w, _ throws(BundleError) in
            try w.appendFile("a/b", contents: [])
            try w.appendFile("a", contents: [])
        },
        Attack(name: "directory under a file", code: .unsafePath, entry: "f/sub/") { w, _ throws(BundleError) in
            try w.appendFile("f", contents: [])
            try w.appendDirectory("f/sub")
        },
        Attack(name: "size bomb", code: .tooLarge, entry: "bomb") { w, _ throws(BundleError) in
            try w.append(TarHeader(path: "bomb", type: .file, size: 1 << 40))
        },
        Attack(name: "many files over the limit", code: .tooLarge, entry: "part-10") { w, _ throws(BundleError) in
            for index in 0..<20 { try w.appendFile("part-\(index)", contents: [UInt8](repeating: 1, count: 100 << 10)) }
        },
        Attack(name: "too many entries", code: .tooManyEntries, entry: "f100") { w, _ throws(BundleError) in
            for index in 0..<200 { try w.appendFile("f\(index)", contents: []) }
        },
        Attack(name: "deep path past the entry limit", code: .tooManyEntries, entry: "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/x") { w, _ throws(BundleError) in
            try w.appendFile(Array(repeating: "d", count: 110).joined(separator: "/") + "/x", contents: [])
        },
        Attack(name: "traversal in a pax path", code: .unsafePath, entry: "../" + String(repeating: "p", count: 120)) { w, _ throws(BundleError) in
            try w.appendFile("../" + String(repeating: "p", count: 120), contents: Array("pwned".utf8))
        },
        Attack(name: "NUL in a pax path", code: .unsafePath, entry: "ok\0../../evil") { w, _ throws(BundleError) in
            try w.appendFile("ok\0../../evil" + String(repeating: "p", count: 120), contents: [])
        },
    ]

    @Test(arguments: attacks)
    func refuses(_ attack: Attack) throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        let error = #expect(throws: BundleError.self) {
            try arena.extract({ (w: inout TarWriter) throws(BundleError) in try attack.build(&w, arena.scratch.path) },
                              maxBytes: 1 << 20, maxEntries: 100)
        }
        #expect(error?.code == attack.code, "\(error?.message ?? "")")
        #expect(error?.message.contains(attack.entry.prefix(40)) == true, "names the entry: \(error?.message ?? "")")
        #expect(try arena.outside().isEmpty, "nothing written outside the destination")
        #expect(!FileManager.default.fileExists(atPath: "/etc/pwned"))
    }

    @Test func theFirstOfTwoDuplicatesIsKept() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        _ = #expect(throws: BundleError.self) {
            try arena.extract { (w: inout TarWriter) throws(BundleError) in
                try w.appendFile("submission.py", contents: Array("good".utf8))
                try w.appendFile("submission.py", contents: Array("evil".utf8))
            }
        }
        #expect(FileManager.default.contents(atPath: arena.destination + "/submission.py") == Data("good".utf8))
    }

    @Test func aLinkAlreadyInTheDestinationIsNotFollowed() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        try arena.scratch.symlink("dest/planted", to: "..")
        let error = #expect(throws: BundleError.self) {
            try arena.extract { (w: inout TarWriter) throws(BundleError) in try w.appendFile("planted/evil", contents: Array("x".utf8)) }
        }
        #expect(error?.code == .unsafePath)
        #expect(try arena.outside().isEmpty)
    }

    @Test func permissionBitsBeyondTheExecuteBitAreDropped() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        _ = try arena.extract { (w: inout TarWriter) throws(BundleError) in
            try w.append(TarHeader(path: "setuid", type: .file, mode: 0o4777, size: 2), contents: Array("#!".utf8))
            try w.append(TarHeader(path: "private", type: .file, mode: 0o600, size: 0), contents: [])
            try w.append(TarHeader(path: "sticky/", type: .directory, mode: 0o1777))
        }
        let tree = try TreeDescription(of: arena.destination)
        #expect(tree.nodes["setuid"] == .file(mode: 0o755, contents: Data("#!".utf8)))
        #expect(tree.nodes["private"] == .file(mode: 0o644, contents: Data()))
        #expect(tree.nodes["sticky"] == .directory(mode: 0o755))
    }

    @Test func aTruncatedArchiveIsRefused() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        let whole = try Self.archive { (w: inout TarWriter) throws(BundleError) in
            try w.appendFile("model.bin", contents: [UInt8](repeating: 7, count: 5000))
        }
        for cut in [100, 512, 3000, whole.count - 1024] {
            let destination = try TemporaryDirectory("truncated")
            defer { destination.remove() }
            let error = #expect(throws: BundleError.self) {
                try TarExtractor.extract(from: Array(whole.prefix(cut)), into: destination.path, maxBytes: 1 << 20, maxEntries: 10)
            }
            #expect(error?.code == .malformedArchive, "cut at \(cut): \(error?.message ?? "")")
        }
    }

    @Test func aCorruptHeaderIsRefused() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        var bytes = try Self.archive { (w: inout TarWriter) throws(BundleError) in try w.appendFile("a.txt", contents: Array("a".utf8)) }
        bytes[10] ^= 0x01
        let error = #expect(throws: BundleError.self) {
            try TarExtractor.extract(from: bytes, into: arena.destination, maxBytes: 1 << 20, maxEntries: 10)
        }
        #expect(error?.code == .malformedArchive)
        #expect(error?.message.contains("checksum") == true)
    }

    @Test func aGNULongNameCannotClimbOut() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        let error = #expect(throws: BundleError.self) {
            try arena.extract { (w: inout TarWriter) throws(BundleError) in
                let name = Array("../../gnu-evil".utf8) + [0]
                try w.append(TarHeader(path: "././@LongLink", type: .gnuLongName, size: Int64(name.count)), contents: name)
                try w.appendFile("innocent", contents: Array("pwned".utf8))
            }
        }
        #expect(error?.code == .unsafePath)
        #expect(error?.message.contains("../../gnu-evil") == true)
        #expect(try arena.outside().isEmpty)
    }

    @Test func afterAnErrorEveryCallFails() throws {
        let arena = try Arena()
        defer { arena.scratch.remove() }
        let bytes = try Self.archive { (w: inout TarWriter) throws(BundleError) in
            try w.appendFile("../evil", contents: [])
            try w.appendFile("fine", contents: [])
        }
        let extractor = try TarExtractor(destination: arena.destination, maxBytes: 100, maxEntries: 10)
        #expect(throws: BundleError.self) { try extractor.consume(bytes[..<512]) }
        #expect(throws: BundleError.self) { try extractor.consume(bytes[512...]) }
        #expect(throws: BundleError.self) { try extractor.finish() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: arena.destination).isEmpty)
    }
}
