import Foundation

/// A directory tree as the tests compare it: every entry (links not followed) with its
/// kind, permission bits, and content or link target.
struct TreeDescription: Equatable, CustomStringConvertible {
    enum Node: Equatable {
        case file(mode: mode_t, contents: Data)
        case directory(mode: mode_t)
        case symlink(target: String)
    }

    var nodes: [String: Node] = [:]

    init(of root: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                nodes[relative] = .file(mode: info.st_mode & 0o7777, contents: try Data(contentsOf: URL(fileURLWithPath: path)))
            case S_IFDIR:
                nodes[relative] = .directory(mode: info.st_mode & 0o7777)
            case S_IFLNK:
                nodes[relative] = .symlink(target: try FileManager.default.destinationOfSymbolicLink(atPath: path))
            default:
                throw POSIXError(.EINVAL)
            }
        }
    }

    var description: String {
        nodes.keys.sorted().map { "\($0): \(nodes[$0]!)" }.joined(separator: "\n")
    }
}
