import Foundation

/// Keeps a job's log under a size: past it, the earlier output is dropped and the last half
/// of the cap kept, after a line that says so. A job writes its log through a descriptor
/// opened for appending, so after the file is cut its next bytes land after the kept tail.
public enum LogCap {
    /// Returns true when the log was cut.
    @discardableResult
    public static func enforce(path: String, maxBytes: Int64) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, Int64(info.st_size) > maxBytes else { return false }
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let keep = Int(maxBytes / 2)
        var tail = [UInt8](repeating: 0, count: keep)
        let size = Int64(info.st_size)
        let read = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, keep, off_t(size - Int64(keep))) }
        guard read > 0 else { return false }
        tail.removeLast(keep - read)
        // Start the kept part at a line, so no line is shown cut in half.
        if let newline = tail.firstIndex(of: UInt8(ascii: "\n")), newline < tail.count - 1 { tail.removeFirst(newline + 1) }
        let note = "[hekaton] this log passed its limit of \(maxBytes) bytes (max_log_bytes); "
            + "at least \(size - Int64(tail.count)) bytes of earlier output were dropped and the last \(tail.count) kept\n"
        // Written over the head, then cut to its end: the job appends through O_APPEND, so
        // whatever it writes after the cut lands after the kept tail, never before the note.
        // (Bytes it writes between the read above and the cut are lost, which the note's
        // "at least" admits.)
        let bytes = Array(note.utf8) + tail
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count, ftruncate(descriptor, off_t(bytes.count)) == 0 else { return false }
        return true
    }
}
