#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonSupport
import SubmissionBundle

/// A directory as an uncompressed OCI layer: the tree under `prefix/`, with the prefix's own
/// directories first, in byte order of paths, owners and times zero and modes 0644/0755, so
/// the same tree always gives the same digest. Streamed: a file is never held whole in memory.
///
/// The tree is listed by `BundleScanner`, which refuses what a submission bundle refuses for the
/// same reasons: links that resolve outside the tree (or are absolute), devices, FIFOs and
/// sockets. Names starting with `.wh.` are refused too: in a layer they are whiteouts and would
/// delete files of the base instead of adding one.
enum LayerArchive {
    static let whiteoutPrefix = ".wh."
    private static let chunkSize = 1 << 16

    static func write(content: String, prefix: [String], to blob: BlobWriter) throws(OCILayoutError) {
        let listing = try list(content)
        var writer = TarWriter(chunkSize: chunkSize) { (chunk: ArraySlice<UInt8>) throws(BundleError) in
            do throws(OCILayoutError) {
                try blob.write(chunk)
            } catch {
                throw BundleError(.writeFailed, error.message, path: error.path)
            }
        }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        do throws(BundleError) {
            for depth in prefix.indices {
                try writer.appendDirectory(prefix[...depth].joined(separator: "/"))
            }
            for entry in listing.entries {
                let path = (prefix + [entry.path]).joined(separator: "/")
                switch entry.kind {
                case .directory:
                    try writer.appendDirectory(path)
                case .symlink(let target):
                    try writer.appendSymlink(path, target: target)
                case .file:
                    try appendFile(entry, at: path, from: listing.root, to: &writer, buffer: &buffer)
                }
            }
            try writer.finish()
        } catch {
            throw OCILayoutError(error.code == .writeFailed ? .ioFailed : .invalidContent, error.message, path: error.path)
        }
    }

    private static func list(_ content: String) throws(OCILayoutError) -> BundleListing {
        var info = stat()
        let found = stat(content, &info) == 0
        guard found, info.isDirectory else {
            let what = found ? "is not a directory" : "cannot be read: \(String(cString: strerror(errno)))"
            throw OCILayoutError(.invalidContent, "the content directory '\(content)' \(what); give the directory whose files the image should carry",
                                 path: content)
        }
        let listing: BundleListing
        do {
            listing = try BundleScanner.scan(directory: content, maxBytes: .max)
        } catch {
            throw OCILayoutError(.invalidContent, "cannot make a layer of '\(content)': \(error.message)", path: error.path ?? content)
        }
        for entry in listing.entries {
            let name = entry.path.split(separator: "/").last ?? ""
            if name.hasPrefix(whiteoutPrefix) {
                throw OCILayoutError(.invalidContent, """
                    '\(listing.root)/\(entry.path)' has a name starting with \(whiteoutPrefix), which a layer reads as \
                    "delete this file from the image below"; rename it
                    """, path: listing.root + "/" + entry.path)
            }
        }
        return listing
    }

    /// `TarWriter.append(_:from:buffer:)` names the entry by its path in the tree; in a layer
    /// it lives under the prefix, so the header is written here and the content streamed after it.
    private static func appendFile(_ entry: BundleEntry, at path: String, from root: String, to writer: inout TarWriter,
                                   buffer: inout [UInt8]) throws(BundleError) {
        let source = root + "/" + entry.path
        let changed = BundleError(.fileChanged, "'\(source)' changed while the layer was written; wait until nothing writes to it and build again", path: source)
        // Opened as a bundle's file, so its errors are already the writer's kind of error.
        let fd = try OpenFile<BundleError>.open(source, .readOnly, options: [.noFollow, .nonBlocking])
        defer { fd.close() }
        let info = try fd.status()
        guard info.isRegularFile, Int64(info.st_size) == entry.size else { throw changed }
        try writer.append(TarHeader(path: path, type: .file, mode: entry.isExecutable ? 0o755 : 0o644, size: entry.size))
        var remaining = entry.size
        while remaining > 0 {
            let count = try fd.read(into: &buffer)
            guard count > 0, Int64(count) <= remaining else { throw changed }
            try writer.appendContents(buffer[..<count])
            remaining -= Int64(count)
        }
        guard try fd.read(into: &buffer) == 0 else { throw changed }
        let padding = (TarHeader.blockSize - Int(entry.size % Int64(TarHeader.blockSize))) % TarHeader.blockSize
        try writer.appendContents([UInt8](repeating: 0, count: padding)[...])
    }
}
