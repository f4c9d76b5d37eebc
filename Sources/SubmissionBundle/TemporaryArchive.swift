#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// A bundle archived into a private temporary file, so it can be sent (and its size known)
/// after every file was read once, and a file that changes mid-way fails before any upload.
public struct TemporaryArchive: Sendable {
    public let path: String
    public let byteCount: Int64

    /// Archives `listing` into a new file (mode 0600) in `directory`.
    public static func write(_ listing: BundleListing, in directory: String = FileManager.default.temporaryDirectory.path,
                             progress: ((BundleProgress) -> Void)? = nil) throws(BundleError) -> TemporaryArchive {
        var template = Array(((directory.hasSuffix("/") ? directory : directory + "/") + "hekaton-bundle-XXXXXX.tar").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else { throw BundleError.systemCall(.writeFailed, "create a temporary file in", path: directory) }
        let file = BundleFile(adopting: fd, path: path)
        defer { file.close() }
        var written: Int64 = 0
        do throws(BundleError) {
            try TarWriter.write(listing, progress: progress) { (chunk: ArraySlice<UInt8>) throws(BundleError) in
                try file.writeAll(chunk)
                written += Int64(chunk.count)
            }
        } catch {
            unlink(path)
            throw error
        }
        return TemporaryArchive(path: path, byteCount: written)
    }

    /// The whole archive in memory; the bundle limits keep it small.
    public func bytes() throws(BundleError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError(.unreadable, "cannot read the archive '\(path)'", path: path)
        }
        return Array(data)
    }

    public func remove() {
        unlink(path)
    }
}
