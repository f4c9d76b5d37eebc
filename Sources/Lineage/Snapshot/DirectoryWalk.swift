#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listing half of a snapshot: every entry under a root with `lstat`, no content read.
/// Listing everything first lets a bad entry (a FIFO, a link out of the tree) fail the
/// snapshot before any gigabyte is hashed.
struct DirectoryWalk {
    struct File: Sendable {
        var relativePath: String
        var absolutePath: String
        var size: Int64
        var executable: Bool
    }

    private(set) var files: [File] = []
    /// Directories and links, which need no hashing.
    private(set) var otherEntries: [TreeManifest.Entry] = []

    /// Walks `root`, a directory or a single file. A symbolic link given as the root is
    /// followed (the user named it); links inside are recorded, never followed.
    init(root: String) throws {
        let info = try FileSystem.followedStatus(root)
        if info.isRegularFile {
            let name = root.split(separator: "/").last.map(String.init) ?? root
            files.append(File(relativePath: name, absolutePath: root, size: Int64(info.st_size), executable: info.st_mode & S_IXUSR != 0))
        } else if info.isDirectory {
            try walk(directory: root, relativePath: nil)
        } else {
            throw Self.unsupported(root, info)
        }
    }

    private mutating func walk(directory: String, relativePath: String?) throws {
        for name in try FileSystem.entries(of: directory) {
            let absolute = FileSystem.join(directory, name)
            let relative = relativePath.map { $0 + "/" + name } ?? name
            let info = try FileSystem.linkStatus(absolute)
            if info.isRegularFile {
                files.append(File(relativePath: relative, absolutePath: absolute, size: Int64(info.st_size), executable: info.st_mode & S_IXUSR != 0))
            } else if info.isDirectory {
                otherEntries.append(.init(path: relative, kind: .directory))
                try walk(directory: absolute, relativePath: relative)
            } else if info.isSymbolicLink {
                otherEntries.append(.init(path: relative, kind: .symlink(target: try Self.linkTarget(absolute))))
            } else {
                throw Self.unsupported(absolute, info)
            }
        }
    }

    private static func linkTarget(_ path: String) throws -> String {
        var capacity = Int(PATH_MAX)
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = readlink(path, &buffer, capacity)
            guard length >= 0 else { throw LineageError.systemCall("read link", path: path) }
            if length < capacity {
                let bytes = buffer.prefix(length).map { UInt8(bitPattern: $0) }
                guard let target = String(validating: bytes, as: UTF8.self) else {
                    throw LineageError(.unreadablePath, "link '\(path)' has a target that is not valid UTF-8; change the link", path: path)
                }
                return target
            }
            capacity *= 2
        }
    }

    private static func unsupported(_ path: String, _ info: stat) -> LineageError {
        LineageError(.unsupportedFileType, "'\(path)' is \(info.fileTypeName); only regular files, directories and symbolic links can be snapshotted, so move it out of the directory", path: path)
    }
}
