#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor and the few calls bundles need on it, each failing with an
/// error that names the path the descriptor was opened for.
struct FileDescriptor {
    let raw: Int32
    let path: String

    /// `open(2)`; retried on EINTR.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0, failure code: BundleError.Code = .unreadable) throws(BundleError) -> FileDescriptor {
        try openAt(AT_FDCWD, path, flags, mode: mode, displayPath: path, failure: code)
    }

    /// `openat(2)` relative to `directory`; `displayPath` names the file in errors.
    static func openAt(_ directory: Int32, _ name: String, _ flags: Int32, mode: mode_t = 0, displayPath: String,
                       failure code: BundleError.Code) throws(BundleError) -> FileDescriptor {
        while true {
            let fd = openat(directory, name, flags | O_CLOEXEC, mode)
            if fd >= 0 { return FileDescriptor(raw: fd, path: displayPath) }
            if errno != EINTR { throw BundleError.systemCall(code, "open", path: displayPath) }
        }
    }

    func close() {
        systemClose(raw)
    }

    func status() throws(BundleError) -> stat {
        var info = stat()
        if fstat(raw, &info) != 0 { throw BundleError.systemCall(.unreadable, "inspect", path: path) }
        return info
    }

    /// Reads up to `buffer.count` bytes into `buffer`; 0 at the end of the file.
    func read(into buffer: inout [UInt8]) throws(BundleError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(raw, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            if errno != EINTR { throw BundleError.systemCall(.unreadable, "read", path: path) }
        }
    }

    func writeAll(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        var remaining = bytes
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { systemWrite(raw, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw BundleError.systemCall(.writeFailed, "write", path: path)
            }
            remaining = remaining.dropFirst(written)
        }
    }

    func setMode(_ mode: mode_t) throws(BundleError) {
        if fchmod(raw, mode) != 0 { throw BundleError.systemCall(.writeFailed, "set the permissions of", path: path) }
    }
}

// The methods above shadow the C functions of the same names.
private func systemClose(_ fd: Int32) { _ = close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

extension stat {
    var fileType: mode_t { st_mode & S_IFMT }
    var isDirectory: Bool { fileType == S_IFDIR }
    var isRegularFile: Bool { fileType == S_IFREG }
    var isSymbolicLink: Bool { fileType == S_IFLNK }
    var isExecutable: Bool { st_mode & S_IXUSR != 0 }

    /// What the file is, in words, for errors about files a bundle cannot hold.
    var fileTypeName: String {
        switch fileType {
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFREG: "a regular file"
        default: "an unknown kind of file"
        }
    }
}
