#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonHashing
import HekatonSupport

/// Turns a directory (or a single file) into a `TreeManifest` whose files are in the blob
/// store, and turns a manifest back into a read-only directory.
///
/// Capturing is synchronous and blocks the calling thread while it fans the hashing out to
/// `width` threads; call it from a thread that may block.
public struct TreeSnapshot: Sendable {
    public let store: BlobStore
    /// Files hashed at once; every core by default.
    public let width: Int

    public init(store: BlobStore, width: Int? = nil) {
        self.store = store
        self.width = max(1, width ?? ParallelWork.defaultWidth)
    }

    /// Snapshots `path` into the store and stores its manifest.
    ///
    /// Each file is hashed first and copied only if the store lacks its digest, so
    /// registering unchanged data again reads it once and writes nothing but the touch of
    /// each blob's time. New content is read a second time while it is copied, and that
    /// copy is hashed again: a file that changed in between fails the snapshot instead of
    /// storing bytes under a digest they do not have.
    public func capture(_ path: String, progress: (@Sendable (SnapshotProgress) -> Void)? = nil) throws -> SnapshotReport {
        let (manifest, files) = try hashTree(at: path, storing: true, progress: progress)
        let stored = try store.store(manifest.encoded())
        return SnapshotReport(
            manifest: manifest,
            bytesRead: files.reduce(0) { $0 + $1.bytesRead },
            bytesWritten: files.reduce(0) { $0 + $1.bytesWritten } + stored.bytesWritten,
            blobsWritten: files.count { !$0.wasPresent } + (stored.wasPresent ? 0 : 1))
    }

    /// The manifest `capture` would produce, without storing anything: to tell whether a
    /// registration would be new, or to measure hashing alone.
    public func manifest(of path: String, progress: (@Sendable (SnapshotProgress) -> Void)? = nil) throws -> TreeManifest {
        try hashTree(at: path, storing: false, progress: progress).manifest
    }

    /// A manifest stored earlier by `capture`, checked against its digest before it is trusted.
    public func manifest(stored root: Digest) throws -> TreeManifest {
        let data = try store.read(root)
        let actual = Digest.of(data)
        guard actual == root else { throw store.corruptBlob(root, hashesTo: actual) }
        return try TreeManifest(decoding: data)
    }

    private struct HashedFile {
        var digest: Digest
        var bytesRead: Int64
        var bytesWritten: Int64
        var wasPresent: Bool
    }

    private func hashTree(
        at path: String, storing: Bool, progress: (@Sendable (SnapshotProgress) -> Void)?
    ) throws -> (manifest: TreeManifest, files: [HashedFile]) {
        let walk = try DirectoryWalk(root: path)
        if let escape = SymlinkContainment(entries: walk.otherEntries).firstEscape() {
            let linkPath = FileSystem.join(path, escape.path)
            throw LineageError(.symlinkOutsideTree, "'\(linkPath)' is a link to '\(escape.target)', which resolves outside '\(path)' (or loops); links must stay inside the registered directory, so copy the target in or remove the link", path: linkPath)
        }

        // Largest first, so the last file to finish is a small one and no core idles
        // while a big file is hashed alone at the end.
        let files = walk.files.sorted { $0.size > $1.size }
        let reporter = SnapshotProgressReporter(
            bytesTotal: files.reduce(0) { $0 + $1.size }, filesTotal: files.count, handler: progress)
        let results = ResultSlots<HashedFile>(count: files.count)
        let buffers = ChunkBuffer.PerWorker(width: width)
        let store = self.store
        try ParallelWork.forEach(count: files.count, width: width) { worker, item in
            results[item] = try Self.hash(files[item], storing: storing ? store : nil, buffer: buffers[worker], reporter: reporter)
            reporter.fileDone()
        }

        let hashed = results.values.map { $0! }
        var entries = walk.otherEntries
        for (file, result) in zip(files, hashed) {
            entries.append(.init(path: file.relativePath, kind: .file(digest: result.digest, size: file.size, executable: file.executable)))
        }
        return (try TreeManifest(entries: entries), hashed)
    }

    private static func hash(
        _ file: DirectoryWalk.File, storing store: BlobStore?, buffer: UnsafeMutableRawBufferPointer,
        reporter: SnapshotProgressReporter
    ) throws -> HashedFile {
        // O_NOFOLLOW: if the file was swapped for a link since the walk, fail rather than
        // read whatever the link points at.
        let source = try LineageFile.open(file.absolutePath, .readOnly, options: .noFollow)
        defer { source.close() }
        let changed = LineageError(.fileChanged, "'\(file.absolutePath)' changed while it was being snapshotted; register again once it is no longer being written", path: file.absolutePath)
        let info = try source.status()
        guard info.isRegularFile, Int64(info.st_size) == file.size else { throw changed }
        let (hex, size) = try source.hashToEnd(buffer: buffer, chunkRead: reporter.bytesRead)
        let digest = Digest(computed: hex)
        guard size == file.size else { throw changed }

        guard let store, try !store.adoptIfPresent(digest) else {
            return HashedFile(digest: digest, bytesRead: size, bytesWritten: 0, wasPresent: true)
        }
        try source.rewind()
        let stored = try store.store(copying: source, expecting: digest, buffer: buffer)
        return HashedFile(digest: digest, bytesRead: 2 * size, bytesWritten: stored.bytesWritten, wasPresent: stored.wasPresent)
    }
}
