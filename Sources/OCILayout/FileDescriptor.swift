#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file and the few calls layouts need on it, each failing with an error that names
/// the path it was opened for.
struct FileDescriptor {
    let raw: Int32
    let path: String

    /// `open(2)`, retried on EINTR. `missing` is the error for ENOENT, when the caller can say more than "No such file".
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0,
                     missing: OCILayoutError? = nil) throws(OCILayoutError) -> FileDescriptor {
        while true {
            let fd = openFile(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return FileDescriptor(raw: fd, path: path) }
            if errno == EINTR { continue }
            if errno == ENOENT, let missing { throw missing }
            throw OCILayoutError.systemCall("open", path: path)
        }
    }

    func close() {
        closeFile(raw)
    }

    func status() throws(OCILayoutError) -> stat {
        var info = stat()
        if fstat(raw, &info) != 0 { throw OCILayoutError.systemCall("inspect", path: path) }
        return info
    }

    /// Up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: inout [UInt8]) throws(OCILayoutError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { readFile(raw, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            if errno != EINTR { throw OCILayoutError.systemCall("read", path: path) }
        }
    }

    func writeAll(_ bytes: ArraySlice<UInt8>) throws(OCILayoutError) {
        var remaining = bytes
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { writeFile(raw, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw OCILayoutError.systemCall("write", path: path)
            }
            remaining = remaining.dropFirst(written)
        }
    }

    /// `fsync(2)`: a blob is named by its digest only once its bytes are on disk, so a crash
    /// never leaves a name whose content is missing.
    func sync() throws(OCILayoutError) {
        if fsync(raw) != 0 { throw OCILayoutError.systemCall("sync", path: path) }
    }
}

// The methods above shadow the C functions of the same names.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func closeFile(_ fd: Int32) { _ = close(fd) }
private func readFile(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func writeFile(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

extension stat {
    var isRegularFile: Bool { st_mode & S_IFMT == S_IFREG }
    var isDirectory: Bool { st_mode & S_IFMT == S_IFDIR }
}
