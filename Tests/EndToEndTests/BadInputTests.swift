import ControlAPI
import ControlClient
import Foundation
import Testing

/// Hostile or broken clients: each gets a clear error or a closed connection, and the same
/// daemon answers `/v1/status` right after.
@Suite("Bad input on the control socket")
struct BadInputTests {
    static let configuration = """
    idle_timeout_seconds: 1
    max_request_body_bytes: 4096
    """

    func expectStillServing(_ daemon: DaemonUnderTest) throws {
        let status = try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
        #expect(status.pid == daemon.pid)
    }

    @Test("Bytes that are not HTTP get 400 and a closed connection")
    func notHTTP() throws {
        let daemon = try DaemonUnderTest(configuration: Self.configuration)
        defer { daemon.stop() }
        let socket = try RawSocket(path: daemon.socketPath)
        try socket.send([0x16, 0x03, 0x01, 0x00, 0xff] + Array("\u{0}\u{1}garbage\r\n\r\n".utf8))
        let (data, closed) = socket.readUntilClosed(timeout: .seconds(10))
        #expect(closed)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        try expectStillServing(daemon)
    }

    @Test("A request body over the limit gets 413 and the connection is closed")
    func bodyTooLarge() throws {
        let daemon = try DaemonUnderTest(configuration: Self.configuration)
        defer { daemon.stop() }
        let body = String(repeating: "x", count: 10_000)
        let answer = try RawSocket.exchange(path: daemon.socketPath, request:
            "POST /v1/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n\(body)")
        #expect(answer.status == 413)
        #expect(answer.text.contains("application/problem+json"))
        // Chunked bodies have no length up front; the limit still holds.
        let socket = try RawSocket(path: daemon.socketPath)
        try socket.send("POST /v1/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<5 { try? socket.send("1000\r\n" + String(repeating: "y", count: 4096) + "\r\n") }
        let (data, closed) = socket.readUntilClosed(timeout: .seconds(10))
        #expect(closed)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 413"))
        try expectStillServing(daemon)
    }

    @Test("A connection that sends half a request and goes silent is closed after the idle timeout")
    func halfRequest() throws {
        let daemon = try DaemonUnderTest(configuration: Self.configuration)
        defer { daemon.stop() }
        let socket = try RawSocket(path: daemon.socketPath)
        try socket.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Half: ")
        let (_, closed) = socket.readUntilClosed(timeout: .seconds(15))
        #expect(closed, "the daemon closes the silent connection")
        try expectStillServing(daemon)
    }

    @Test("200 concurrent clients are all answered")
    func concurrentClients() async throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let client = daemon.client
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<200 {
                group.addTask { try client.call("GET", "/v1/status", as: StatusResponse.self).pid }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(pids.count == 200)
        #expect(Set(pids) == [daemon.pid])
        try expectStillServing(daemon)
    }

    @Test("An unknown route is 404 and a wrong method is 405, both as problem+json")
    func unknownRoute() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let (head, body) = try daemon.client.raw("GET", "/v1/no-such-thing")
        #expect(head.status == 404)
        #expect(head.header("content-type") == Problem.mediaType)
        let problem = try JSONDecoder().decode(Problem.self, from: Data(body))
        #expect(problem.status == 404)
        #expect(problem.detail?.contains("/v1/no-such-thing") == true)
        let (wrongMethod, _) = try daemon.client.raw("DELETE", "/v1/status")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "GET")
        try expectStillServing(daemon)
    }

    @Test("Invalid JSON in a request body is 400 naming the problem")
    func invalidJSON() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let (head, body) = try daemon.client.raw("POST", "/v1/jobs", body: Array("{\"argv\": [\"true\",".utf8))
        #expect(head.status == 400)
        let problem = try JSONDecoder().decode(Problem.self, from: Data(body))
        #expect(problem.title == "Invalid JSON")
        try expectStillServing(daemon)
    }
}
