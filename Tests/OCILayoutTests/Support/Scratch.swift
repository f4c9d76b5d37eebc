import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory for one test, removed by `remove()`.
struct Scratch {
    let path: String

    init(_ label: String) throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("oci-\(label)-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { throw POSIXError(.EIO) }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func callAsFunction(_ relative: String) -> String {
        path + "/" + relative
    }

    func write(_ relative: String, _ contents: Data, mode: mode_t = 0o644) throws {
        try FileManager.default.createDirectory(atPath: (self(relative) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: self(relative)))
        chmod(self(relative), mode)
    }

    func symlink(_ relative: String, to target: String) throws {
        guard Glibc.symlink(target, self(relative)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
