import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "bundle") throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-XXXXXX").utf8CString)
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
    func write(_ relative: String, _ contents: String = "", mode: mode_t = 0o644) throws -> String {
        try write(relative, Data(contents.utf8), mode: mode)
    }

    @discardableResult
    func write(_ relative: String, _ contents: Data, mode: mode_t = 0o644) throws -> String {
        let file = self(relative)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: file))
        chmod(file, mode)
        return file
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: self(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: (self(relative) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard Glibc.symlink(target, self(relative)) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    func exists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(self(relative), &info) == 0
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
