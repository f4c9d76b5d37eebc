import ArgumentParser
import ControlAPI
import ControlClient
import Synchronization
#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

extension Hekatonctl {
    struct UI: DaemonCommand {
        static let configuration = CommandConfiguration(
            commandName: "ui",
            abstract: "Open the daemon's pages in a browser: a proxy on a loopback port that asks the daemon as you.",
            discussion: """
            Listens on 127.0.0.1 (any free port, or --port) and forwards each request for the \
            pages (/ui/...) to the daemon's socket from this process, so the daemon sees your \
            user and shows what the API would show you, as `kubectl proxy` does.

            It prints a URL with a one-time token (and opens it with xdg-open where there is a \
            display). The first request with the token gets a cookie (HttpOnly, SameSite=Strict) \
            and a redirect without the token; any other request without the cookie is refused \
            (403), so another user of this machine who finds the port cannot act as you. \
            Stops on Ctrl-C.
            """)
        @OptionGroup var connection: ClientOptions
        @Option(help: "The loopback port to listen on (1024 to 65535; default: any free port).") var port: Int?
        @Flag(help: "Print the URL without opening a browser.") var noOpen = false

        func validate() throws {
            if let port, !(1024...65535).contains(port) { throw ValidationError("--port takes 1024 to 65535") }
        }

        func run(client: ControlClient, output: Output) throws {
            // Reaching the daemon first: a wrong socket is told now, not at the first page.
            let _: StatusResponse = try client.call("GET", "/v1/status")
            let proxy = try PageProxy(socketPath: client.socketPath, remote: client.remote, port: port ?? 0)
            let url = "http://127.0.0.1:\(proxy.port)/ui/?token=\(proxy.session.token)"
            // Written at once, not buffered: whoever started this reads the URL while it runs.
            Terminal.write(Array("Pages of hekatond at \(client.socketPath), as you:\n\(url)\n(the token works once; press Ctrl-C to stop)\n".utf8))
            if !noOpen { PageProxy.openInBrowser(url) }
            proxy.serve()
        }
    }
}

/// Who has shown the token: the token works once and gives its browser the session cookie.
final class UISession: Sendable {
    let token: String
    let cookie: String
    private let tokenUsed = Mutex(false)
    static let cookieName = "hekaton_ui"

    init() {
        token = Self.randomHex()
        cookie = Self.randomHex()
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// True once, for the right token.
    func redeem(_ candidate: String) -> Bool {
        guard Self.same(candidate, token) else { return false }
        return tokenUsed.withLock { used in
            if used { return false }
            used = true
            return true
        }
    }

    func hasCookie(_ header: String?) -> Bool {
        guard let header else { return false }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { PageProxy.trimmed($0) }
            if parts.count == 2, parts[0] == Self.cookieName, Self.same(parts[1], cookie) { return true }
        }
        return false
    }

    /// Compares without stopping at the first difference.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}

/// A loopback HTTP listener that checks the session, then hands each page request to the
/// daemon's socket with `Connection: close` and copies the answer back as it comes (a
/// stream of Server-Sent Events included), one thread per connection.
struct PageProxy: Sendable {
    let listener: Int32
    let port: Int
    let socketPath: String
    /// A daemon on another machine: each request goes through a relay of its own over ssh.
    let remote: SSHTarget?
    let session = UISession()

    /// The most bytes of a request head read.
    static let maxHead = 16 << 10

    init(socketPath: String, remote: SSHTarget? = nil, port: Int) throws {
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C and a TERM stop it even when it was started from a thread that blocks them
        // (a child inherits its starter's signal mask): the threads it starts inherit this one.
        var stopping = sigset_t()
        sigemptyset(&stopping)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stopping, number) }
        pthread_sigmask(SIG_UNBLOCK, &stopping, nil)
        self.socketPath = socketPath
        self.remote = remote
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(message: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let text = String(cString: strerror(errno))
            close(fd)
            throw CommandFailure(message: "cannot listen on 127.0.0.1:\(port): \(text)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func serve() -> Never {
        while true {
            let client = accept(listener, nil, nil)
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE { continue }
                Hekatonctl.exit(with: CommandFailure(message: "the listener failed: \(String(cString: strerror(errno)))"))
            }
            let proxy = self
            Self.detach { proxy.handle(client) }
        }
    }

    /// Runs `body` on a thread of its own.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
        }
    }

    struct RequestHead {
        var method: String
        var path: String
        var query: [(String, String)]
        var headers: [(String, String)]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    func handle(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = Self.readHead(client) else {
            Self.answer(client, 400, "Bad request", "the request head is malformed or longer than \(Self.maxHead) bytes")
            return
        }
        guard head.method == "GET" else {
            Self.answer(client, 405, "Method not allowed", "the pages are read with GET")
            return
        }
        if let length = head.header("Content-Length"), length != "0" {
            Self.answer(client, 400, "Bad request", "a page request has no body")
            return
        }
        if head.header("Transfer-Encoding") != nil {
            Self.answer(client, 400, "Bad request", "a page request has no body")
            return
        }
        if let token = head.query.first(where: { $0.0 == "token" })?.1 {
            guard session.redeem(token) else {
                Self.answer(client, 403, "Forbidden", "this token was used already or is wrong: run hekatonctl ui again for a new URL")
                return
            }
            let rest = head.query.filter { $0.0 != "token" }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            let location = (head.path.hasPrefix("/ui") ? head.path : "/ui/") + (rest.isEmpty ? "" : "?" + rest)
            Self.write(client, Array(("HTTP/1.1 303 See Other\r\nLocation: \(location)\r\n"
                + "Set-Cookie: \(UISession.cookieName)=\(session.cookie); HttpOnly; SameSite=Strict; Path=/\r\n"
                + "Cache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").utf8))
            return
        }
        guard session.hasCookie(head.header("Cookie")) else {
            Self.answer(client, 403, "Forbidden", "open the URL that hekatonctl ui printed: this port serves only the browser that used its token")
            return
        }
        if head.path == "/" {
            Self.write(client, Array("HTTP/1.1 303 See Other\r\nLocation: /ui/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            return
        }
        guard head.path == "/ui" || head.path.hasPrefix("/ui/") else {
            Self.answer(client, 404, "Not found", "this port forwards only the pages, under /ui/")
            return
        }
        forward(head, to: client)
    }

    /// Sends the request to the daemon as this process's user and copies the answer back until the daemon closes.
    func forward(_ head: RequestHead, to client: Int32) {
        let daemon: Int32
        var relay: pid_t?
        do {
            // A followed log sends a comment every 15 s: a minute of silence is a daemon gone.
            if let remote {
                (daemon, relay) = try remote.dial(timeoutSeconds: 60, environment: ProcessInfo.processInfo.environment)
            } else {
                daemon = try UnixHTTPConnection.connectedSocket(socketPath: socketPath, timeoutSeconds: 60)
            }
        } catch {
            Self.answer(client, 502, "Daemon unreachable", error.message)
            return
        }
        var relayed = 0
        defer {
            close(daemon)
            // A relay that ended before the daemon said anything (a failed login, a refused
            // socket there): its exit status says why.
            if let relay, let status = SSHTarget.reap(relay), relayed == 0 {
                Self.answer(client, 502, "Daemon unreachable", "the relay over ssh to \(remote?.description ?? "") ended (exit \(status)): " + (status == 77 ? "the socket there refuses this user" : status == 255 ? "ssh could not connect or log in" : "see hekatonctl ui's terminal"))
            }
        }
        let dropped: Set<String> = ["host", "connection", "cookie", "keep-alive", "upgrade", "proxy-connection", "te", "proxy-authorization"]
        var text = "\(head.method) \(head.path)"
        if !head.query.isEmpty { text += "?" + head.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&") }
        text += " HTTP/1.1\r\nHost: hekatond\r\nConnection: close\r\n"
        for (name, value) in head.headers where !dropped.contains(name.lowercased()) { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        guard Self.write(daemon, Array(text.utf8)) else {
            Self.answer(client, 502, "Daemon unreachable", "the daemon closed the connection")
            relayed = -1
            return
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(daemon, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            relayed += count
            guard Self.write(client, Array(buffer[0..<count])) else { return }
        }
    }

    static func readHead(_ fd: Int32) -> RequestHead? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = bytes.firstRange(of: end) {
                bytes = Array(bytes[..<range.lowerBound])
                break
            }
            guard bytes.count < maxHead else { return nil }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            bytes += chunk[0..<count]
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else { return nil }
        // Only what a path and query may hold goes on to the daemon: no spaces, no control characters.
        guard parts[1].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        let target = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = target.count > 1 ? target[1].split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        } : []
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]), trimmed(line[line.index(after: colon)...])))
        }
        return RequestHead(method: String(parts[0]), path: String(target[0]), query: query, headers: headers)
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    static func answer(_ fd: Int32, _ status: Int, _ reason: String, _ detail: String) {
        let body = "\(status) \(reason): \(detail)\n"
        write(fd, Array(("HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body).utf8))
    }

    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Opens the URL with xdg-open when there is one and a display to show it on.
    static func openInBrowser(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let tool = "\(directory)/xdg-open"
            guard access(tool, X_OK) == 0 else { continue }
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup(tool), strdup(url), nil]
            defer { for pointer in argv { free(pointer) } }
            _ = posix_spawn(&pid, tool, nil, nil, argv, environ)
            return
        }
    }
}
