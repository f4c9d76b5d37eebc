#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Writes a tar archive into a sink, in chunks of a fixed size, never holding a whole
/// file in memory.
///
/// `write(_:to:)` archives a `BundleListing` deterministically: entries in the listing's
/// order, modes 0644 or 0755 for files and 0755 for directories, times and owners zero,
/// so the same directory always gives the same bytes. The `append` methods are the
/// lower level, also used to craft archives in tests.
public struct TarWriter {
    public typealias Sink = (ArraySlice<UInt8>) throws(BundleError) -> Void

    private let sink: Sink
    private let chunkSize: Int
    private var pending: [UInt8] = []
    /// Bytes of archive produced so far, including what still waits for a full chunk.
    public private(set) var bytesWritten: Int64 = 0

    public init(chunkSize: Int = 64 << 10, sink: @escaping Sink) {
        precondition(chunkSize > 0)
        self.chunkSize = chunkSize
        self.sink = sink
        pending.reserveCapacity(chunkSize)
    }

    // MARK: Whole bundles

    /// Archives `listing`, reading each file from `listing.root`. `progress` is called
    /// after each file with the files and content bytes written so far.
    public static func write(_ listing: BundleListing, chunkSize: Int = 64 << 10,
                             progress: ((BundleProgress) -> Void)? = nil, to sink: @escaping Sink) throws(BundleError) {
        var writer = TarWriter(chunkSize: chunkSize, sink: sink)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var done = BundleProgress()
        for entry in listing.entries {
            try writer.append(entry, from: listing.root, buffer: &buffer)
            if entry.kind == .file {
                done.files += 1
                done.bytes += entry.size
                progress?(done)
            }
        }
        try writer.finish()
    }

    /// The exact size in bytes of the archive `write` makes of `listing`.
    public static func archiveSize(of listing: BundleListing) -> Int64 {
        listing.entries.reduce(Int64(2 * TarHeader.blockSize)) { total, entry in
            total + Int64(header(for: entry).encoded().count) + entry.size + Int64(TarHeader.padding(after: entry.size).count)
        }
    }

    static func header(for entry: BundleEntry) -> TarHeader {
        switch entry.kind {
        case .file:
            TarHeader(path: entry.path, type: .file, mode: entry.isExecutable ? 0o755 : 0o644, size: entry.size)
        case .directory:
            TarHeader(path: entry.path + "/", type: .directory, mode: 0o755)
        case .symlink(let target):
            TarHeader(path: entry.path, type: .symlink, mode: 0o777, linkTarget: target)
        }
    }

    // MARK: Entries

    /// One entry of a listing; a file's content is streamed from `root` through `buffer`.
    /// A file that is no longer what the listing says fails with `.fileChanged`.
    public mutating func append(_ entry: BundleEntry, from root: String, buffer: inout [UInt8]) throws(BundleError) {
        guard entry.kind == .file else {
            try append(Self.header(for: entry))
            return
        }
        let path = root + "/" + entry.path
        let file = try BundleFile.open(path, .readOnly, options: [.noFollow, .nonBlocking])
        defer { file.close() }
        let info = try file.status()
        guard info.isRegularFile, Int64(info.st_size) == entry.size else { throw Self.changed(path) }
        try append(Self.header(for: entry))
        var remaining = entry.size
        while remaining > 0 {
            let count = try file.read(into: &buffer)
            guard count > 0, Int64(count) <= remaining else { throw Self.changed(path) }
            try emit(buffer[..<count])
            remaining -= Int64(count)
        }
        guard try file.read(into: &buffer) == 0 else { throw Self.changed(path) }
        try emit(TarHeader.padding(after: entry.size)[...])
    }

    /// A header alone: for directories, links, and entries whose content follows with `appendContents`.
    public mutating func append(_ header: TarHeader) throws(BundleError) {
        try emit(header.encoded()[...])
    }

    /// A header and its content, padded to the block size. `contents` need not match the
    /// header's size (a test may want a lying header); the padding follows `contents`.
    public mutating func append(_ header: TarHeader, contents: [UInt8]) throws(BundleError) {
        try append(header)
        try appendContents(contents[...])
        try emit(TarHeader.padding(after: Int64(contents.count))[...])
    }

    public mutating func appendFile(_ path: String, contents: [UInt8], executable: Bool = false) throws(BundleError) {
        try append(TarHeader(path: path, type: .file, mode: executable ? 0o755 : 0o644, size: Int64(contents.count)),
                   contents: contents)
    }

    public mutating func appendDirectory(_ path: String) throws(BundleError) {
        try append(TarHeader(path: path.hasSuffix("/") ? path : path + "/", type: .directory, mode: 0o755))
    }

    public mutating func appendSymlink(_ path: String, target: String) throws(BundleError) {
        try append(TarHeader(path: path, type: .symlink, mode: 0o777, linkTarget: target))
    }

    /// Raw bytes, unpadded.
    public mutating func appendContents(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        try emit(bytes)
    }

    /// The end-of-archive marker (two zero blocks), then everything still pending.
    public mutating func finish() throws(BundleError) {
        try emit([UInt8](repeating: 0, count: 2 * TarHeader.blockSize)[...])
        try flush()
    }

    public mutating func flush() throws(BundleError) {
        guard !pending.isEmpty else { return }
        try sink(pending[...])
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func emit(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        var rest = bytes
        bytesWritten += Int64(bytes.count)
        while !rest.isEmpty {
            let room = chunkSize - pending.count
            pending += rest.prefix(room)
            rest = rest.dropFirst(room)
            if pending.count == chunkSize { try flush() }
        }
    }

    private static func changed(_ path: String) -> BundleError {
        BundleError(.fileChanged, "'\(path)' changed while it was being archived; wait until nothing writes to it and submit again", path: path)
    }
}
