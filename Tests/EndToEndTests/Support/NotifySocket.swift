import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `NOTIFY_SOCKET` owned by the test: a Unix datagram socket that collects every
/// `sd_notify` message the daemon sends, as systemd would receive them.
final class NotifySocket: Sendable {
    let path: String
    private let fd: Int32
    private let received = LockedBox<[String]>([])

    init(path: String) throws {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes); $0[bytes.count] = 0 }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        let received = self.received
        let stop = LockedBox(false)
        self.stop = stop
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !stop.withLock({ $0 }) {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    let message = String(decoding: buffer[0..<count], as: UTF8.self)
                    received.withLock { $0.append(message) }
                }
            }
        }
        reader.start()
    }

    private let stop: LockedBox<Bool>

    /// Every message so far, each possibly several `KEY=value` lines.
    var messages: [String] { received.withLock { $0 } }

    /// Index of the first message at or after `start` that contains `line`.
    func index(of line: String, from start: Int = 0) -> Int? {
        let all = messages
        guard start < all.count else { return nil }
        return all[start...].firstIndex { $0.split(separator: "\n").contains { $0 == line || $0.hasPrefix(line) } }
    }

    func wait(for line: String, after start: Int = 0, timeout: Duration = .seconds(20)) throws -> Int {
        var found: Int?
        try waitUntil("'\(line)' on the notify socket (got \(messages))", timeout: timeout) {
            found = index(of: line, from: start)
            return found != nil
        }
        return found!
    }

    deinit {
        stop.withLock { $0 = true }
        close(fd)
        unlink(path)
    }
}

/// A value behind a lock, shareable with a reader thread.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}
