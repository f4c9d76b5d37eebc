import TestSupport
import Foundation
import Testing
@testable import SubmissionBundle

@Suite("Write, then extract")
struct TarRoundTripTests {
    /// Chunk sizes that split headers, pax records and contents everywhere.
    @Test(arguments: [1, 7, 512, 1000, 1 << 16])
    func extractsTheTreeThatWasWritten(chunkSize: Int) throws {
        let source = try TemporaryDirectory("roundtrip-source")
        let destination = try TemporaryDirectory("roundtrip-destination")
        defer { source.remove(); destination.remove() }
        try TarWriterTests.makeSampleTree(in: source)
        let listing = try BundleScanner.scan(directory: source.path, maxBytes: 1 << 20)
        let bytes = try TarWriterTests.archive(listing).bytes

        let extractor = try TarExtractor(destination: destination.path, maxBytes: 1 << 20, maxEntries: 100)
        var offset = 0
        while offset < bytes.count {
            try extractor.consume(bytes[offset..<min(offset + chunkSize, bytes.count)])
            offset += chunkSize
        }
        let summary = try extractor.finish()
        #expect(summary.files == listing.fileCount)
        #expect(summary.bytes == listing.totalBytes)

        // The same bundle again, and the same permissions the writer promised.
        #expect(try BundleScanner.scan(directory: destination.path, maxBytes: 1 << 20).entries == listing.entries)
        let tree = try TreeDescription(of: destination.path)
        let expected = try TreeDescription(of: source.path)
        for (path, node) in expected.nodes {
            switch node {
            case .file(let mode, let contents):
                #expect(tree.nodes[path] == .file(mode: mode & 0o100 != 0 ? 0o755 : 0o644, contents: contents), "\(path)")
            case .directory:
                #expect(tree.nodes[path] == .directory(mode: 0o755), "\(path)")
            case .symlink:
                #expect(tree.nodes[path] == node, "\(path)")
            }
        }
        #expect(tree.nodes.count == expected.nodes.count)
    }

    @Test func extractsFromAFile() throws {
        let source = try TemporaryDirectory("roundtrip-source")
        let destination = try TemporaryDirectory("roundtrip-destination")
        defer { source.remove(); destination.remove() }
        try TarWriterTests.makeSampleTree(in: source)
        let listing = try BundleScanner.scan(directory: source.path, maxBytes: 1 << 20)
        let archive = try TemporaryArchive.write(listing)
        defer { archive.remove() }
        _ = try TarExtractor.extract(fromFile: archive.path, into: destination.path, maxBytes: 1 << 20, maxEntries: 100)
        #expect(try TreeDescription(of: destination.path).nodes.keys.sorted() == TreeDescription(of: source.path).nodes.keys.sorted())
    }

    /// Archives made by GNU tar, in its own format and in pax, with long names.
    @Test(arguments: ["gnu", "pax", "ustar"])
    func extractsGNUTarArchives(format: String) throws {
        let source = try TemporaryDirectory("gnutar-source")
        let destination = try TemporaryDirectory("gnutar-destination")
        let scratch = try TemporaryDirectory("gnutar-archive")
        defer { source.remove(); destination.remove(); scratch.remove() }
        try source.write("a/b/file.txt", "hello")
        try source.write("run.sh", "#!/bin/sh\n", mode: 0o755)
        try source.symlink("link", to: "a/b/file.txt")
        if format != "ustar" { try source.write(String(repeating: "long-", count: 40) + "/x.txt", "long") }
        let made = try ChildProcess.run("/usr/bin/tar", ["--format=\(format)", "-cf", scratch("archive.tar"), "-C", source.path, "."])
        try #require(made.status == 0, "\(made.errors)")
        _ = try TarExtractor.extract(fromFile: scratch("archive.tar"), into: destination.path, maxBytes: 1 << 20, maxEntries: 100)
        let expected = try TreeDescription(of: source.path)
        let actual = try TreeDescription(of: destination.path)
        #expect(actual.nodes.keys.sorted() == expected.nodes.keys.sorted())
        #expect(actual.nodes["run.sh"] == .file(mode: 0o755, contents: Data("#!/bin/sh\n".utf8)))
        #expect(actual.nodes["link"] == .symlink(target: "a/b/file.txt"))
    }
}
