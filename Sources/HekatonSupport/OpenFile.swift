#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// SystemPackage's `FileDescriptor` with the path it was opened for, so every failure names
/// its file, thrown as `Failure`: the error type of the module that opened it. Opened
/// close-on-exec, so no child inherits it. Closing is explicit: a descriptor lives for one
/// function (closed by `defer`) or one owner (closed in its `deinit`).
public struct OpenFile<Failure: FileFailure> {
    public let descriptor: FileDescriptor
    public let path: String

    /// Takes over a descriptor opened elsewhere (`mkstemp`, a `FileHandle`).
    public init(adopting raw: CInt, path: String) {
        self.init(descriptor: FileDescriptor(rawValue: raw), path: path)
    }

    private init(descriptor: FileDescriptor, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    public var raw: CInt { descriptor.rawValue }

    /// `open(2)`, retried on EINTR. `missing` is the error for ENOENT, when the caller can say
    /// more than "No such file or directory"; `operation` names the attempt in other errors.
    public static func open(
        _ path: String, _ access: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions = [],
        mode: mode_t = 0, operation: FileOperation = .open, missing: Failure? = nil
    ) throws(Failure) -> OpenFile {
        do {
            let descriptor = try FileDescriptor.open(
                path, access, options: options.union(.closeOnExec),
                permissions: options.contains(.create) ? FilePermissions(rawValue: mode) : nil)
            return OpenFile(descriptor: descriptor, path: path)
        } catch {
            let number = Self.number(of: error)
            if number == ENOENT, let missing { throw missing }
            throw .failed(operation, path: path, errno: number)
        }
    }

    /// `openat(2)`: `name` relative to the open directory `directory`; `displayPath` names the
    /// file in errors. (SystemPackage has no `openat` yet.)
    public static func open(
        _ name: String, in directory: OpenFile, _ access: FileDescriptor.AccessMode,
        options: FileDescriptor.OpenOptions = [], mode: mode_t = 0, displayPath: String
    ) throws(Failure) -> OpenFile {
        let flags = access.rawValue | options.union(.closeOnExec).rawValue
        while true {
            let raw = openat(directory.raw, name, flags, mode)
            if raw >= 0 { return OpenFile(adopting: raw, path: displayPath) }
            if errno != EINTR { throw .failed(.open, path: displayPath, errno: errno) }
        }
    }

    public func close() {
        try? descriptor.close()
    }

    /// `fstat(2)`.
    public func status() throws(Failure) -> stat {
        do {
            return try descriptor.stat().rawValue
        } catch {
            throw .failed(.inspect, path: path, errno: error.rawValue)
        }
    }

    /// One `read(2)`, retried on EINTR: up to `buffer.count` bytes, 0 at the end of the file.
    public func read(into buffer: inout [UInt8]) throws(Failure) -> Int {
        // `withUnsafeMutableBytes` rethrows untyped; the result carries the typed error out.
        try buffer.withUnsafeMutableBytes { bytes in Result { () throws(Failure) in try read(into: bytes) } }.get()
    }

    /// One `read(2)`, retried on EINTR: up to `buffer.count` bytes, 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        try attempt(.read) { try descriptor.read(into: buffer) }
    }

    /// Reads until `buffer` is full or the file ends, so a hash always sees large chunks.
    /// Fewer bytes than the buffer holds means the end of the file.
    public func read(filling buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Writes every byte, however many `write(2)` calls that takes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        _ = try attempt(.write) { try descriptor.writeAll(bytes) }
    }

    public func writeAll(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        try bytes.withUnsafeBytes { bytes in Result { () throws(Failure) in try writeAll(bytes) } }.get()
    }

    /// `fsync(2)`: a file is given its final name only once its bytes are on disk, so a crash
    /// never leaves a name whose content is missing. On a directory, it makes renames in it durable.
    public func sync() throws(Failure) {
        if fsync(raw) != 0 { throw .failed(.sync, path: path, errno: errno) }
    }

    /// Makes a directory's entries durable: after a rename, the new name survives a crash
    /// only once its directory has been synced.
    public static func syncDirectory(_ path: String) throws(Failure) {
        let directory = try open(path, .readOnly, options: .directory)
        defer { directory.close() }
        try directory.sync()
    }

    /// Back to the first byte, to read the file again.
    public func rewind() throws(Failure) {
        _ = try attempt(.seek) { try descriptor.seek(offset: 0, from: .start) }
    }

    /// `fchmod(2)`.
    public func setPermissions(_ mode: mode_t) throws(Failure) {
        if fchmod(raw, mode) != 0 { throw .failed(.setPermissions, path: path, errno: errno) }
    }

    private func attempt<Result>(_ operation: FileOperation, _ call: () throws -> Result) throws(Failure) -> Result {
        do {
            return try call()
        } catch {
            throw .failed(operation, path: path, errno: Self.number(of: error))
        }
    }

    /// SystemPackage throws `Errno`; its number keeps the messages `strerror` words.
    private static func number(of error: any Error) -> Int32 {
        (error as? Errno)?.rawValue ?? EIO
    }
}
