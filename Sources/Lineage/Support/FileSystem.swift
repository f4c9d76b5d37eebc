#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonSupport

/// The few path-level system calls the blob store and snapshots need, each failing with
/// an error that names its path.
enum FileSystem {
    /// `lstat`: never follows a final symbolic link.
    static func linkStatus(_ path: String) throws -> stat {
        var info = stat()
        if lstat(path, &info) != 0 { throw LineageError.systemCall("inspect", path: path) }
        return info
    }

    /// `stat`: follows symbolic links; nil when nothing is there.
    static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// `stat`, failing with an error that says why (absent, unreadable).
    static func followedStatus(_ path: String) throws -> stat {
        var info = stat()
        if stat(path, &info) != 0 { throw LineageError.systemCall("read", path: path) }
        return info
    }

    /// Creates a directory; an existing one is fine. Returns whether it was created.
    @discardableResult
    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws -> Bool {
        if mkdir(path, mode) == 0 { return true }
        if errno == EEXIST, let info = status(path), info.isDirectory { return false }
        throw LineageError.systemCall("create directory", path: path)
    }

    /// Makes a directory's entries durable: after a rename, the new name survives a crash
    /// only once its directory has been synced.
    static func syncDirectory(_ path: String) throws {
        try LineageFile.syncDirectory(path)
    }

    static func rename(_ source: String, to destination: String) throws {
        if systemRename(source, destination) != 0 {
            throw LineageError.systemCall("rename '\(source)' to", path: destination)
        }
    }

    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw LineageError.systemCall("remove", path: path) }
    }

    /// Entry names of a directory, without `.` and `..`. Names that are not valid UTF-8
    /// are rejected: a manifest and a database could not name them faithfully.
    static func entries(of path: String) throws -> [String] {
        guard let stream = opendir(path) else { throw LineageError.systemCall("list directory", path: path) }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw LineageError.systemCall("list directory", path: path) }
                return names
            }
            let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validatingCString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard let name else {
                throw LineageError(.unreadablePath, "'\(path)' holds a file name that is not valid UTF-8; rename it", path: path)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

// `FileSystem.rename` shadows the C function.
private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }

extension stat {
    /// Modification time in seconds since 1970, with nanoseconds.
    var modificationTime: Double {
        #if canImport(Glibc)
        Double(st_mtim.tv_sec) + Double(st_mtim.tv_nsec) / 1e9
        #else
        Double(st_mtimespec.tv_sec) + Double(st_mtimespec.tv_nsec) / 1e9
        #endif
    }

    /// Words for the kinds of file that snapshots refuse.
    var fileTypeName: String {
        switch fileType {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "an unsupported kind of file"
        }
    }
}
