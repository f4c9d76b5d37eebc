#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonHashing
import HekatonSupport

/// One new blob of a layout, streamed to a temporary file in `blobs/sha256` and hashed on the
/// way, then synced and renamed to its digest. Dropped without `commit()`, it removes its
/// temporary file, so a failed build leaves no stray bytes behind.
final class BlobWriter {
    private let directory: String
    private let temporaryPath: String
    private var file: LayoutFile?
    /// Taken by `commit()`, which consumes it for the digest.
    private var hash: SHA256? = SHA256()
    private(set) var size: Int64 = 0

    init(directory: String) throws(OCILayoutError) {
        self.directory = directory
        var template = Array("\(directory)/.partial-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw OCILayoutError.systemCall("create a temporary file in", path: directory) }
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        file = LayoutFile(adopting: fd, path: temporaryPath)
    }

    deinit {
        guard let file else { return }
        file.close()
        unlink(temporaryPath)
    }

    func write(_ bytes: ArraySlice<UInt8>) throws(OCILayoutError) {
        guard let file else { preconditionFailure("write after commit") }
        try file.writeAll(bytes)
        hash!.update(bytes)
        size += Int64(bytes.count)
    }

    /// Makes the blob durable under its digest and returns its descriptor's digest and size.
    func commit() throws(OCILayoutError) -> (digest: OCIDigest, size: Int64) {
        guard let file else { preconditionFailure("commit twice") }
        // mkstemp makes 0600 files; blobs are content-addressed and meant to be read by anyone who can read the layout.
        try file.setPermissions(0o644)
        try file.sync()
        file.close()
        self.file = nil
        let digest = OCIDigest(hex: hash.take()!.finalize())
        let destination = "\(directory)/\(digest.hex)"
        guard rename(temporaryPath, destination) == 0 else {
            let error = OCILayoutError.systemCall("rename '\(temporaryPath)' to", path: destination)
            unlink(temporaryPath)
            throw error
        }
        return (digest, size)
    }

    /// A blob held in memory (a manifest, a config), written in one go.
    static func write(_ bytes: [UInt8], into directory: String) throws(OCILayoutError) -> (digest: OCIDigest, size: Int64) {
        let writer = try BlobWriter(directory: directory)
        try writer.write(bytes[...])
        return try writer.commit()
    }
}
