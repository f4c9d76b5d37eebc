import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP/1.0 GET to 127.0.0.1, enough to query a server a test started; no
/// FoundationNetworking (and so no libcurl) needed.
public enum HTTPProbe {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
    }

    /// Responses above this are refused: a test server's answers are small.
    static let limit = 4 << 20

    public static func get(port: UInt16, path: String, timeout: Duration = .seconds(10)) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        defer { close(fd) }
        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw failure("connect to port \(port)") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw failure("send to port \(port)") }
            sent += count
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw failure("read from port \(port)") }
            response += buffer[..<count]
            guard response.count <= Self.limit else { throw ImageRunFailure(description: "GET \(path): more than \(Self.limit) bytes") }
        }
        return try parse(response, path: path)
    }

    /// A port nothing listens on right now (the kernel's pick); a server started next may take it.
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        defer { close(fd) }
        var address = loopback(0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw failure("bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw failure("getsockname") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func parse(_ bytes: [UInt8], path: String) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, bytes.count - separator.count)).first(where: { bytes[$0..<min($0 + 4, bytes.count)].elementsEqual(separator) }),
              bytes.count >= separator.count else {
            throw ImageRunFailure(description: "GET \(path): no complete response (\(bytes.count) bytes)")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw ImageRunFailure(description: "GET \(path): not an HTTP response: \(statusLine)")
        }
        return Response(status: status, body: Data(bytes[(end + separator.count)...]))
    }

    private static func failure(_ what: String) -> ImageRunFailure {
        ImageRunFailure(description: "\(what) failed: \(String(cString: strerror(errno)))")
    }
}
