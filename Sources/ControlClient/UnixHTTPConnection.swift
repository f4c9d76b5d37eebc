#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#elseif canImport(Glibc)
import Foundation
import Glibc
#else
import Darwin
import Foundation
#endif

/// One HTTP/1.1 exchange over a Unix stream socket, with blocking I/O.
///
/// A control tool makes one request and exits, so a plain blocking socket starts faster than
/// an event loop and needs no TLS stack. Responses may be framed by `Content-Length`,
/// by chunked transfer coding (used for streamed logs) or by the end of the connection.
public struct UnixHTTPConnection: ~Copyable {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    /// The `ssh` that carries the connection to a remote daemon, until it is reaped.
    private var child: pid_t?

    /// The socket's path, or the `ssh://` address: what errors name.
    public let socketPath: String

    public init(socketPath: String, timeoutSeconds: Int = 60) throws(ControlClientError) {
        self.socketPath = socketPath
        fd = try UnixSocket.connect(path: socketPath, timeoutSeconds: timeoutSeconds)
    }

    /// A blocking stream socket connected to `socketPath`, with send and receive timeouts;
    /// the caller closes it. The errors say whether no daemon listens or the caller may not reach it.
    public static func connectedSocket(socketPath: String, timeoutSeconds: Int) throws(ControlClientError) -> Int32 {
        try UnixSocket.connect(path: socketPath, timeoutSeconds: timeoutSeconds)
    }

    /// A connection to a remote daemon: one end of a socket pair here, the other `ssh`'s
    /// standard input and output, and `hekatonctl dial-stdio` on the far side.
    public init(ssh target: SSHTarget, timeoutSeconds: Int = 60,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ControlClientError) {
        socketPath = target.description
        (fd, child) = try target.dial(timeoutSeconds: timeoutSeconds, environment: environment)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if let child { _ = SSHTarget.reap(child) }
    }

    /// Why the ssh carrying this connection ended before the daemon answered: its exit status
    /// is the remote command's (77 refused by the socket, 69 no daemon there, 127 no
    /// hekatonctl there) or ssh's own 255; ssh's and the remote side's messages went to stderr.
    private mutating func sshEnded() -> ControlClientError {
        guard let pid = child else {
            return ControlClientError(.badResponse, "the daemon closed the connection before answering completely")
        }
        child = nil
        close(fd)
        fd = -1
        let status = SSHTarget.reap(pid)
        switch status {
        case 77: return ControlClientError(.permissionDenied, "\(socketPath): the remote side may not reach the daemon's socket (see its message above)")
        case 69: return ControlClientError(.daemonNotRunning, "\(socketPath): no daemon answers on the remote machine (see its message above)")
        case 126, 127: return ControlClientError(.io, "\(socketPath): the remote machine has no hekatonctl to run (install it there, or set HEKATON_REMOTE_HEKATONCTL)")
        case 255: return ControlClientError(.io, "\(socketPath): ssh could not connect or log in (see ssh's message above)")
        default: return ControlClientError(.badResponse, "\(socketPath): the connection ended before the daemon answered (ssh exited \(status.map(String.init) ?? "by a signal"))")
        }
    }

    /// Sends a request and reads the status line and headers; the body is read with `readBody`.
    public mutating func send(method: String, path: String, body: [UInt8]? = nil,
                              contentType: String = "application/json") throws(ControlClientError) -> HTTPResponseHead {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: hekatond\r\nUser-Agent: hekatonctl\r\nAccept: application/json\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        do {
            try writeAll(Array(head.utf8) + (body ?? []))
        } catch {
            // A remote side that ended (ssh could not log in) says why in its exit status.
            if error.code == .io, child != nil { throw sshEnded() }
            throw error
        }
        return try readHead()
    }

    /// Sends a request whose body `produce` writes in pieces, exactly `length` bytes in all,
    /// so that a large upload is never held whole in memory.
    public mutating func send(method: String, path: String, contentType: String, length: Int64,
                              produce: (_ write: ([UInt8]) throws(ControlClientError) -> Void) throws(ControlClientError) -> Void)
        throws(ControlClientError) -> HTTPResponseHead {
        let head = "\(method) \(path) HTTP/1.1\r\nHost: hekatond\r\nUser-Agent: hekatonctl\r\nAccept: application/json\r\n"
            + "Connection: close\r\nContent-Type: \(contentType)\r\nContent-Length: \(length)\r\n\r\n"
        var sent: Int64 = 0
        do {
            try writeAll(Array(head.utf8))
            try produce { (chunk: [UInt8]) throws(ControlClientError) in
                sent += Int64(chunk.count)
                guard sent <= length else { throw ControlClientError(.io, "the body grew past the \(length) bytes announced") }
                try writeAll(chunk)
            }
        } catch {
            // The daemon may answer from the head alone (403, 413) and close: its answer says more.
            if error.code == .io, let answer = try? readHead() { return answer }
            if error.code == .io, child != nil { throw sshEnded() }
            throw error
        }
        guard sent == length else { throw ControlClientError(.io, "the body was \(sent) bytes, not the \(length) announced") }
        return try readHead()
    }

    /// Reads the whole body of the response whose head was returned by `send`.
    public mutating func readBody(_ head: HTTPResponseHead, limit: Int = 256 << 20) throws(ControlClientError) -> [UInt8] {
        var body: [UInt8] = []
        try readBody(head) { (chunk: ArraySlice<UInt8>) throws(ControlClientError) in
            body.append(contentsOf: chunk)
            if body.count > limit { throw ControlClientError(.badResponse, "response body over \(limit) bytes") }
        }
        return body
    }

    /// Reads the body piece by piece as it arrives (for streamed output such as `--follow`).
    public mutating func readBody(_ head: HTTPResponseHead,
                                  onChunk: (ArraySlice<UInt8>) throws(ControlClientError) -> Void) throws(ControlClientError) {
        if head.isChunked {
            while true {
                let sizeLine = try readLine()
                let sizeText = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingSpaces(), radix: 16) else {
                    throw ControlClientError(.badResponse, "malformed chunk size '\(sizeLine)'")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    return
                }
                var remaining = size
                while remaining > 0 {
                    let piece = try readAvailable(max: remaining)
                    remaining -= piece.count
                    try onChunk(piece)
                }
                _ = try readLine()
            }
        } else if let length = head.contentLength {
            var remaining = length
            while remaining > 0 {
                let piece = try readAvailable(max: remaining)
                remaining -= piece.count
                try onChunk(piece)
            }
        } else {
            while true {
                let piece = try readAvailable(max: 1 << 16, eofAllowed: true)
                if piece.isEmpty { return }
                try onChunk(piece)
            }
        }
    }

    private mutating func readHead() throws(ControlClientError) -> HTTPResponseHead {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw ControlClientError(.badResponse, "\(socketPath) did not answer with HTTP (got '\(statusLine.prefix(60))'); is it a hekatond socket?")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else {
                throw ControlClientError(.badResponse, "malformed header line '\(line.prefix(60))'")
            }
            headers.append((String(line[..<colon]).lowercased(), String(line[line.index(after: colon)...]).trimmingSpaces()))
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    private mutating func readLine() throws(ControlClientError) -> String {
        var line: [UInt8] = []
        while true {
            if position == buffer.count { try fill(eofAllowed: false) }
            let byte = buffer[position]
            position += 1
            if byte == UInt8(ascii: "\n") {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            line.append(byte)
            if line.count > 64 << 10 { throw ControlClientError(.badResponse, "header line over 64 KiB") }
        }
    }

    private mutating func readAvailable(max: Int, eofAllowed: Bool = false) throws(ControlClientError) -> ArraySlice<UInt8> {
        if position == buffer.count {
            try fill(eofAllowed: eofAllowed)
            if position == buffer.count { return [] }
        }
        let end = Swift.min(buffer.count, position + max)
        let slice = buffer[position..<end]
        position = end
        return slice
    }

    private mutating func fill(eofAllowed: Bool) throws(ControlClientError) {
        guard fd >= 0 else { throw ControlClientError(.badResponse, "the connection to \(socketPath) is closed") }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer = Array(chunk[0..<count])
                position = 0
                return
            }
            if count == 0 {
                if eofAllowed { buffer = []; position = 0; return }
                throw sshEnded()
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw ControlClientError(.timedOut, "no answer from \(socketPath) in time")
            }
            if child != nil, errno == ECONNRESET || errno == EPIPE { throw sshEnded() }
            throw ControlClientError(.io, "reading from \(socketPath): \(Self.errnoText())")
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(ControlClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                write(fd, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ControlClientError(.io, "writing to \(socketPath): \(Self.errnoText())")
            }
            offset += written
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// The status line and headers of a response.
public struct HTTPResponseHead: Sendable {
    public let status: Int
    /// Header names are lower-cased.
    public let headers: [(String, String)]

    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.0 == name }?.1
    }

    var contentLength: Int? { header("content-length").flatMap { Int($0) } }
    var isChunked: Bool { header("transfer-encoding")?.lowercased().contains("chunked") ?? false }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

/// Connecting to a Unix stream socket, with the errors people read.
public enum UnixSocket {
    /// A connected socket, close-on-exec, with send and receive timeouts.
    public static func connect(path socketPath: String, timeoutSeconds: Int = 60) throws(ControlClientError) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ControlClientError(.io, "cannot create a socket: \(UnixHTTPConnection.errnoText())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            close(fd)
            throw ControlClientError(.io, "socket path is longer than \(capacity - 1) bytes: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        setTimeouts(fd, seconds: timeoutSeconds)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                #else
                Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                #endif
            }
        }
        if result != 0 {
            let error = errno
            close(fd)
            switch error {
            case ENOENT, ECONNREFUSED, ENOTDIR:
                throw ControlClientError(.daemonNotRunning, "no daemon is listening on \(socketPath) (\(String(cString: strerror(error))))")
            case EACCES, EPERM:
                throw ControlClientError(.permissionDenied, "permission denied connecting to \(socketPath): ask an administrator to add you to the socket's group (default 'hekaton')")
            default:
                throw ControlClientError(.io, "cannot connect to \(socketPath): \(String(cString: strerror(error)))")
            }
        }
        return fd
    }

    public static func setTimeouts(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
