import Foundation
import HekatonHashing
import HekatonSupport
#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed, immutable files under one directory:
///
/// ```
/// <root>/sha256/ab/abcdef…   one read-only file per distinct content, named by its SHA-256
/// <root>/tmp/…               writes in progress; renamed into place once complete and synced
/// <root>/lock                shared by writers, exclusive for garbage collection
/// ```
///
/// A crash can leave a stale file in `tmp/`, never a half-written blob under a valid name.
public struct BlobStore: Sendable {
    public let root: String

    /// Opens the store at `root`, creating its directories if needed.
    public init(root: String) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw LineageError(.writeFailed, "cannot create blob store directory '\(root)': \(error.localizedDescription)", path: root)
        }
        try FileSystem.makeDirectory(objectsDirectory)
        try FileSystem.makeDirectory(temporaryDirectory)
    }

    var objectsDirectory: String { FileSystem.join(root, Digest.algorithm) }
    var temporaryDirectory: String { FileSystem.join(root, "tmp") }
    var lock: BlobStoreLock { BlobStoreLock(path: FileSystem.join(root, "lock")) }

    /// Runs `body` with the store's lock held shared, as writers hold it: garbage collection
    /// (which holds it exclusively) deletes nothing meanwhile. For a consistent copy.
    public func withoutCollection<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock(.shared, body)
    }

    func fanOutDirectory(for digest: Digest) -> String {
        FileSystem.join(objectsDirectory, String(digest.hex.prefix(2)))
    }

    /// Where the blob lives (or would live): `<root>/sha256/ab/abcdef…`.
    public func path(for digest: Digest) -> String {
        FileSystem.join(fanOutDirectory(for: digest), digest.hex)
    }

    public func contains(_ digest: Digest) -> Bool {
        FileSystem.status(path(for: digest))?.isRegularFile ?? false
    }

    public func size(of digest: Digest) throws -> Int64 {
        guard let info = FileSystem.status(path(for: digest)) else { throw missingBlob(digest) }
        return Int64(info.st_size)
    }

    /// The whole blob in memory: for small blobs such as manifests. Stream large ones with `open`.
    public func read(_ digest: Digest) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path(for: digest)) else { throw missingBlob(digest) }
        return data
    }

    public func open(_ digest: Digest) throws -> FileHandle {
        guard let handle = FileHandle(forReadingAtPath: path(for: digest)) else { throw missingBlob(digest) }
        return handle
    }

    // MARK: Storing

    /// Stores a regular file's content, hashing while copying so the file is read once.
    @discardableResult
    public func store(contentsOf path: String) throws -> StoredBlob {
        let source = try LineageFile.open(path, .readOnly)
        defer { source.close() }
        guard try source.status().isRegularFile else {
            throw LineageError(.unsupportedFileType, "'\(path)' is not a regular file; only files can be stored as blobs", path: path)
        }
        return try ChunkBuffer.with { try store(copying: source, expecting: nil, buffer: $0) }
    }

    /// Stores bytes held in memory.
    @discardableResult
    public func store(_ bytes: some ContiguousBytes) throws -> StoredBlob {
        try bytes.withUnsafeBytes { bytes in
            let digest = Digest(computed: SHA256.hash(bytes))
            if try adoptIfPresent(digest) {
                return StoredBlob(digest: digest, size: Int64(bytes.count), bytesWritten: 0, wasPresent: true)
            }
            let temporary = try makeTemporaryFile()
            defer { temporary.close() }
            var committed = false
            defer { if !committed { try? FileSystem.remove(temporary.path) } }
            try temporary.writeAll(bytes)
            let stored = try commit(temporary, digest: digest, size: Int64(bytes.count))
            committed = true
            return stored
        }
    }

    /// Stores everything readable from `handle` until end of file: a pipe, a socket or a file.
    @discardableResult
    public func store(from handle: FileHandle) throws -> StoredBlob {
        let source = LineageFile(adopting: handle.fileDescriptor, path: "<stream>")
        return try ChunkBuffer.with { try store(copying: source, expecting: nil, buffer: $0) }
    }

    /// Copies `source` from its current offset into a temporary file while hashing it, then
    /// renames the copy into place. With `expecting`, a different digest means the source
    /// changed since it was hashed, and nothing is stored.
    func store(copying source: LineageFile, expecting: Digest?, buffer: UnsafeMutableRawBufferPointer) throws -> StoredBlob {
        let temporary = try makeTemporaryFile()
        defer { temporary.close() }
        var committed = false
        defer { if !committed { try? FileSystem.remove(temporary.path) } }
        let (hex, size) = try source.hashToEnd(
            buffer: buffer, consume: { (chunk) throws(LineageError) in try temporary.writeAll(chunk) })
        let digest = Digest(computed: hex)
        if let expecting, expecting != digest {
            throw LineageError(.fileChanged, "'\(source.path)' changed while it was being stored; register it again once it is no longer being written", path: source.path)
        }
        let stored = try commit(temporary, digest: digest, size: size)
        committed = true
        return stored
    }

    /// True if the blob is already stored. Its modification time is refreshed so that a
    /// garbage collection running now sees it as young and leaves it for the caller, who is
    /// about to reference it.
    func adoptIfPresent(_ digest: Digest) throws -> Bool {
        try lock.withLock(.shared) {
            if utimensat(AT_FDCWD, path(for: digest), nil, 0) == 0 { return true }
            return errno != ENOENT && contains(digest)
        }
    }

    /// A new file in `tmp/`; 64 random bits make a clash with another writer a non-event,
    /// and `O_EXCL` turns one into an error rather than a shared file.
    private func makeTemporaryFile() throws -> LineageFile {
        let name = String(UInt64.random(in: 0...UInt64.max), radix: 16) + ".partial"
        return try LineageFile.open(
            FileSystem.join(temporaryDirectory, name), .writeOnly, options: [.create, .exclusiveCreate],
            mode: 0o600, operation: FileOperation("create temporary file", changesFile: true))
    }

    /// Syncs the finished temporary file and renames it to its digest, unless the same
    /// content arrived meanwhile, in which case the copy is dropped. The caller closes it.
    private func commit(_ temporary: LineageFile, digest: Digest, size: Int64) throws -> StoredBlob {
        try temporary.setPermissions(0o444)
        return try lock.withLock(.shared) {
            let destination = path(for: digest)
            if utimensat(AT_FDCWD, destination, nil, 0) == 0 {
                try FileSystem.remove(temporary.path)
                return StoredBlob(digest: digest, size: size, bytesWritten: size, wasPresent: true)
            }
            try temporary.sync()
            let fanOut = fanOutDirectory(for: digest)
            if try FileSystem.makeDirectory(fanOut) {
                try FileSystem.syncDirectory(objectsDirectory)
            }
            try FileSystem.rename(temporary.path, to: destination)
            try FileSystem.syncDirectory(fanOut)
            return StoredBlob(digest: digest, size: size, bytesWritten: size, wasPresent: false)
        }
    }

    func missingBlob(_ digest: Digest) -> LineageError {
        LineageError(.missingBlob, "storage error: blob \(digest) is missing from the blob store (expected at \(path(for: digest))); the store is damaged, not the input: run 'hekatonctl fsck' and restore the blob from a backup", path: path(for: digest))
    }

    func corruptBlob(_ digest: Digest, hashesTo actual: Digest) -> LineageError {
        LineageError(.corruptBlob, "storage error: blob \(digest) at \(path(for: digest)) is corrupted (its bytes hash to \(actual)); the store is damaged, not the input: run 'hekatonctl fsck' and restore the blob from a backup", path: path(for: digest))
    }
}
