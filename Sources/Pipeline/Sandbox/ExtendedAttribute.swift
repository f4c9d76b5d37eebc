import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc's `getxattr` and `setxattr`, which Swift's Glibc module does not import
/// (sys/xattr.h is not in its umbrella), looked up once by name.
enum ExtendedAttribute {
    typealias Get = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias Set = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    private static let getter: Get? = symbol("getxattr")
    private static let setter: Set? = symbol("setxattr")

    /// The attribute's value, or nil when the file lacks it (or it cannot be read).
    static func value(_ name: String, of path: String) -> String? {
        guard let getter else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let size = buffer.withUnsafeMutableBytes { getter(path, name, $0.baseAddress, $0.count) }
        guard size >= 0 else { return nil }
        return String(decoding: buffer.prefix(size), as: UTF8.self)
    }

    /// Sets the attribute; false when it cannot be set.
    static func set(_ name: String, to value: String, of path: String) -> Bool {
        guard let setter else { return false }
        let bytes = Array(value.utf8)
        return bytes.withUnsafeBytes { setter(path, name, $0.baseAddress, $0.count, 0) } == 0
    }

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
