import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory, removed by `remove()`.
/// Materialized trees are read-only, so removal first makes everything writable again.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "lineage") throws {
        var template = Array((NSTemporaryDirectory() + "/\(label)-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(.EIO)
        }
        path = String(cString: created)
    }

    func callAsFunction(_ relative: String) -> String {
        path + "/" + relative
    }

    /// Writes `contents` at `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ contents: String, mode: Int = 0o644) throws -> String {
        try write(relative, Data(contents.utf8), mode: mode)
    }

    @discardableResult
    func write(_ relative: String, _ contents: Data, mode: Int = 0o644) throws -> String {
        let file = self(relative)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: file))
        chmod(file, mode_t(mode))
        return file
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: self(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        guard Glibc.symlink(target, self(relative)) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    func remove() {
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            chmod(path, 0o755)
            for case let relative as String in enumerator {
                var info = stat()
                if lstat(self(relative), &info) == 0, info.st_mode & S_IFMT == S_IFDIR { chmod(self(relative), 0o755) }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
