import Foundation
import HekatonHashing
import HekatonSupport
import Testing

/// A failure that keeps what `OpenFile` reported, so tests can read it back.
struct RecordedFailure: FileFailure, Equatable {
    var operation: String
    var path: String
    var errno: Int32

    static func failed(_ operation: FileOperation, path: String, errno: Int32) -> RecordedFailure {
        RecordedFailure(operation: operation.words, path: path, errno: errno)
    }
}

typealias TestFile = OpenFile<RecordedFailure>

@Suite("Open files")
struct OpenFileTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "/hekaton-support-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        let file = try TestFile.open(path, .writeOnly, options: [.create, .exclusiveCreate], mode: 0o600)
        defer { file.close() }
        try file.writeAll(bytes[...])
        try file.sync()
        return path
    }

    @Test func aMissingFileFailsNamingItsPath() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/absent"
        let error = #expect(throws: RecordedFailure.self) { try TestFile.open(path, .readOnly) }
        #expect(error == RecordedFailure(operation: "open", path: path, errno: ENOENT))
        let replaced = RecordedFailure(operation: "custom", path: "", errno: 0)
        #expect(throws: replaced) { try TestFile.open(path, .readOnly, missing: replaced) }
    }

    /// Chunk sizes around the file's size: a short last read, an exact fit, and a buffer larger than the file.
    @Test(arguments: [1, 64, 999, 1000, 1001, 65_536])
    func hashingAFileEqualsHashingItsBytes(bufferSize: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let path = try write("data", bytes)
        let file = try TestFile.open(path, .readOnly)
        defer { file.close() }
        var copied: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        let (hex, size) = try file.hashToEnd(buffer: buffer, consume: { copied += $0 })
        #expect(size == 1000)
        #expect(copied == bytes)
        #expect(hex == bytes.withUnsafeBytes { SHA256.hash($0) })
        try file.rewind()
        #expect(try file.hashToEnd(buffer: buffer).hex == hex)
    }

    @Test func noFollowRefusesALinkToAFileAndToADirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = try write("target", [1, 2, 3])
        try FileManager.default.createDirectory(atPath: directory + "/inside", withIntermediateDirectories: false)
        #expect(symlink(target, directory + "/file-link") == 0)
        #expect(symlink("/", directory + "/directory-link") == 0)

        let fileError = #expect(throws: RecordedFailure.self) {
            try TestFile.open(directory + "/file-link", .readOnly, options: .noFollow)
        }
        #expect(fileError?.errno == ELOOP)

        let root = try TestFile.open(directory, .readOnly, options: .directory)
        defer { root.close() }
        let inside = try TestFile.open("inside", in: root, .readOnly, options: [.directory, .noFollow], displayPath: "inside")
        inside.close()
        let linkError = #expect(throws: RecordedFailure.self) {
            try TestFile.open("directory-link", in: root, .readOnly, options: [.directory, .noFollow], displayPath: "shown")
        }
        #expect(linkError?.path == "shown")
        #expect(linkError.map { [ELOOP, ENOTDIR].contains($0.errno) } == true)
    }

    @Test func statusAndPermissions() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try write("mode", [0])
        let file = try TestFile.open(path, .readOnly)
        defer { file.close() }
        try file.setPermissions(0o755)
        let info = try file.status()
        #expect(info.isRegularFile && !info.isDirectory && !info.isSymbolicLink)
        #expect(info.isExecutable)
        #expect(info.st_size == 1)
        #expect(info.st_mode & 0o777 == 0o755)
    }

    @Test func writingAReadOnlyDescriptorFailsAsAWrite() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try write("read-only", [0])
        let file = try TestFile.open(path, .readOnly)
        defer { file.close() }
        let error = #expect(throws: RecordedFailure.self) { try file.writeAll([1, 2][...]) }
        #expect(error == RecordedFailure(operation: "write", path: path, errno: EBADF))
    }
}
