import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonHashing
import HekatonSupport

extension TreeSnapshot {
    /// Recreates a stored tree at `destination`, which must not exist or be an empty
    /// directory, and leaves it read-only.
    ///
    /// Files are hard links to their blobs where the file system allows it: instant, and no
    /// extra space. Executable files are copied, because a link shares its blob's mode and
    /// blobs are never executable. Every file is checked against its digest as it is placed
    /// (a copy is hashed while it is written, a link is hashed through the link), on `width`
    /// threads, so a damaged blob fails as a storage error naming it instead of reaching a
    /// job; on any failure nothing is left at `destination`.
    public func materialize(_ root: Digest, into destination: String) throws {
        try materialize(manifest(stored: root), into: destination)
    }

    public func materialize(_ manifest: TreeManifest, into destination: String) throws {
        let missing = manifest.entries.compactMap { entry -> Digest? in
            guard case .file(let digest, _, _) = entry.kind, !store.contains(digest) else { return nil }
            return digest
        }
        if let first = missing.first {
            throw LineageError(.missingBlob, "storage error: \(missing.count) file(s) of tree \(manifest.rootDigest.short) are missing from the blob store (first: \(first), expected at \(store.path(for: first))); the store is damaged, not the input: run 'hekatonctl fsck' and restore them from a backup", path: store.path(for: first))
        }
        let created = try prepareEmptyDirectory(destination)
        do {
            try place(manifest, into: destination)
        } catch {
            // A half-made tree must not pass for a whole one on the next attempt.
            try? Self.removeMaterialized(destination)
            if !created { try? FileSystem.makeDirectory(destination) }
            throw error
        }
    }

    /// Removes a tree `materialize` made, whose directories are read-only.
    public static func removeMaterialized(_ path: String) throws {
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            chmod(path, 0o755)
            for case let relative as String in enumerator {
                let full = FileSystem.join(path, relative)
                if (try? FileSystem.linkStatus(full))?.isDirectory == true { chmod(full, 0o755) }
            }
        }
        try FileManager.default.removeItem(atPath: path)
    }

    private struct PlacedFile {
        var target: String
        var digest: Digest
        var executable: Bool
    }

    private func place(_ manifest: TreeManifest, into destination: String) throws {
        var directories: [String] = []
        var files: [PlacedFile] = []
        for entry in manifest.entries {
            let target = FileSystem.join(destination, entry.path)
            switch entry.kind {
            case .directory:
                try FileSystem.makeDirectory(target)
                directories.append(target)
            case .symlink(let linkTarget):
                if symlink(linkTarget, target) != 0 { throw LineageError.systemCall("create link", path: target) }
            case .file(let digest, _, let executable):
                files.append(PlacedFile(target: target, digest: digest, executable: executable))
            }
        }
        let placed = files
        let canLink = Atomic<Bool>(true)
        let buffers = ChunkBuffer.PerWorker(width: width)
        try ParallelWork.forEach(count: placed.count, width: width) { worker, item in
            try place(placed[item], canLink: canLink, buffer: buffers[worker])
        }
        // Children first: a read-only directory could not receive its own entries.
        for directory in directories.reversed() + [destination] {
            if chmod(directory, 0o555) != 0 { throw LineageError.systemCall("make read-only", path: directory) }
        }
    }

    private func place(_ file: PlacedFile, canLink: borrowing Atomic<Bool>, buffer: UnsafeMutableRawBufferPointer) throws {
        if !file.executable, canLink.load(ordering: .relaxed) {
            if link(store.path(for: file.digest), file.target) == 0 {
                let linked = try LineageFile.open(file.target, .readOnly)
                defer { linked.close() }
                try check(linked, is: file.digest, buffer: buffer)
                return
            }
            guard [EXDEV, EPERM, EMLINK, ENOTSUP].contains(errno) else {
                throw LineageError.systemCall("link", path: file.target)
            }
            // Another file system, or one without hard links: copy from now on.
            canLink.store(false, ordering: .relaxed)
        }
        let source = try LineageFile.open(store.path(for: file.digest), .readOnly)
        defer { source.close() }
        let destination = try LineageFile.open(file.target, .writeOnly, options: [.create, .exclusiveCreate], mode: 0o600)
        defer { destination.close() }
        try check(source, is: file.digest, buffer: buffer, copyingTo: destination)
        try destination.setPermissions(file.executable ? 0o555 : 0o444)
    }

    /// Hashes `file` to its end (writing each chunk to `copy`, when given) and fails with a
    /// storage error naming the blob when it is not `digest`.
    private func check(_ file: LineageFile, is digest: Digest, buffer: UnsafeMutableRawBufferPointer,
                       copyingTo copy: LineageFile? = nil) throws {
        let (hex, _) = try file.hashToEnd(
            buffer: buffer, consume: { (chunk) throws(LineageError) in try copy?.writeAll(chunk) })
        let actual = Digest(computed: hex)
        guard actual == digest else { throw store.corruptBlob(digest, hashesTo: actual) }
    }

    /// Creates `path`, or accepts it as it is when it is an empty directory; true when created.
    private func prepareEmptyDirectory(_ path: String) throws -> Bool {
        if try FileSystem.makeDirectory(path) { return true }
        guard try FileSystem.entries(of: path).isEmpty else {
            throw LineageError(.conflict, "'\(path)' already exists and is not empty; materialize into a new directory", path: path)
        }
        return false
    }
}
