#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX file descriptor that remembers its path, so every failure names its file.
/// Closing is explicit: descriptors live for one function, closed by `defer`.
struct FileDescriptor {
    let raw: Int32
    let path: String

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0, action: String = "open") throws -> FileDescriptor {
        while true {
            let raw = systemOpen(path, flags | O_CLOEXEC, mode)
            if raw >= 0 { return FileDescriptor(raw: raw, path: path) }
            if errno != EINTR { throw LineageError.systemCall(action, path: path) }
        }
    }

    func close() {
        _ = systemClose(raw)
    }

    /// Reads until the buffer is full or the file ends, so hashing always sees large chunks.
    /// Returns the number of bytes read; fewer than the buffer holds means end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = systemRead(raw, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw LineageError.systemCall("read", path: path)
            }
        }
        return filled
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let count = systemWrite(raw, bytes.baseAddress! + written, bytes.count - written)
            if count >= 0 {
                written += count
            } else if errno != EINTR {
                throw LineageError.systemCall("write", path: path)
            }
        }
    }

    func sync() throws {
        if fsync(raw) != 0 { throw LineageError.systemCall("sync", path: path) }
    }

    func status() throws -> stat {
        var info = stat()
        if fstat(raw, &info) != 0 { throw LineageError.systemCall("inspect", path: path) }
        return info
    }

    func rewind() throws {
        if lseek(raw, 0, SEEK_SET) != 0 { throw LineageError.systemCall("seek in", path: path) }
    }

    func setPermissions(_ mode: mode_t) throws {
        if fchmod(raw, mode) != 0 { throw LineageError.systemCall("change permissions of", path: path) }
    }
}

extension FileDescriptor {
    /// Hashes from the current offset to the end of the file in fixed chunks, calling
    /// `chunkRead` with each chunk's size (for progress) and `consume` with its bytes.
    func hashToEnd(
        buffer: UnsafeMutableRawBufferPointer,
        consume: (UnsafeRawBufferPointer) throws -> Void = { _ in },
        chunkRead: (Int) -> Void = { _ in }
    ) throws -> (digest: Digest, size: Int64) {
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        while true {
            let count = try read(into: buffer)
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(chunk)
            try consume(chunk)
            size += Int64(count)
            if count > 0 { chunkRead(count) }
            if count < buffer.count { break }
        }
        return (hasher.finalize(), size)
    }
}

// The methods above shadow the C functions of the same names.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
