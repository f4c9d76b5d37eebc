#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A NULL-terminated array of C strings, as `posix_spawn` takes argv and envp, alive for
/// the duration of `body`.
enum CStringArray {
    static func with<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> Result
    ) rethrows -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
