import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Damage as storage does it, for tests of what notices it.
public enum Damage {
    /// Flips one bit of the byte at `offset` in place, as a failing disk would: the size,
    /// the inode and every hard link stay; the file is made writable first (blobs are not).
    public static func flipByte(in path: String, at offset: UInt64 = 0) throws {
        chmod(path, 0o644)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        guard let byte = try handle.read(upToCount: 1)?.first else {
            throw POSIXError(.EINVAL, userInfo: [NSLocalizedDescriptionKey: "\(path) has no byte at offset \(offset)"])
        }
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: [byte ^ 0x01])
    }

    /// Overwrites `count` bytes from `offset` with a pattern no SQLite page or blob holds.
    public static func overwrite(_ path: String, at offset: UInt64, count: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 89) }))
    }
}
