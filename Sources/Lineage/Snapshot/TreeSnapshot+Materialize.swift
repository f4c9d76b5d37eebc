#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TreeSnapshot {
    /// Recreates a stored tree at `destination`, which must not exist or be an empty
    /// directory, and leaves it read-only.
    ///
    /// Files are hard links to their blobs where the file system allows it: instant, and no
    /// extra space. Executable files are copied, because a link shares its blob's mode and
    /// blobs are never executable. Copies are hashed on the way, so a corrupted blob fails
    /// loudly instead of reaching a job.
    public func materialize(_ root: Digest, into destination: String) throws {
        try materialize(manifest(stored: root), into: destination)
    }

    public func materialize(_ manifest: TreeManifest, into destination: String) throws {
        let missing = manifest.entries.compactMap { entry -> Digest? in
            guard case .file(let digest, _, _) = entry.kind, !store.contains(digest) else { return nil }
            return digest
        }
        if let first = missing.first {
            throw LineageError(.notFound, "\(missing.count) file(s) of tree \(manifest.rootDigest.short) are not in the blob store (first: \(first)); run 'hekatonctl fsck'")
        }
        try prepareEmptyDirectory(destination)

        var directories: [String] = []
        var canLink = true
        try ChunkBuffer.with { buffer in
            for entry in manifest.entries {
                let target = FileSystem.join(destination, entry.path)
                switch entry.kind {
                case .directory:
                    try FileSystem.makeDirectory(target)
                    directories.append(target)
                case .symlink(let linkTarget):
                    if symlink(linkTarget, target) != 0 { throw LineageError.systemCall("create link", path: target) }
                case .file(let digest, _, let executable):
                    if !executable, canLink {
                        if link(store.path(for: digest), target) == 0 { continue }
                        guard [EXDEV, EPERM, EMLINK, ENOTSUP].contains(errno) else {
                            throw LineageError.systemCall("link", path: target)
                        }
                        // Another file system, or one without hard links: copy from now on.
                        canLink = false
                    }
                    try copy(digest, to: target, mode: executable ? 0o555 : 0o444, buffer: buffer)
                }
            }
        }
        // Children first: a read-only directory could not receive its own entries.
        for directory in directories.reversed() + [destination] {
            if chmod(directory, 0o555) != 0 { throw LineageError.systemCall("make read-only", path: directory) }
        }
    }

    private func prepareEmptyDirectory(_ path: String) throws {
        if try FileSystem.makeDirectory(path) { return }
        guard try FileSystem.entries(of: path).isEmpty else {
            throw LineageError(.conflict, "'\(path)' already exists and is not empty; materialize into a new directory", path: path)
        }
    }

    private func copy(_ digest: Digest, to target: String, mode: mode_t, buffer: UnsafeMutableRawBufferPointer) throws {
        let source = try FileDescriptor.open(store.path(for: digest), O_RDONLY)
        defer { source.close() }
        let destination = try FileDescriptor.open(target, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        defer { destination.close() }
        let (copied, _) = try source.hashToEnd(buffer: buffer, consume: { try destination.write($0) })
        guard copied == digest else {
            throw LineageError(.corruptBlob, "blob \(digest) is corrupted (its content hashes to \(copied)); run 'hekatonctl fsck'", path: store.path(for: digest))
        }
        try destination.setPermissions(mode)
    }
}
