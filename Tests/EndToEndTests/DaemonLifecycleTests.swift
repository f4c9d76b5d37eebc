import ControlAPI
import ControlClient
import Foundation
import Testing

@Suite("hekatond lifecycle under the notify protocol")
struct DaemonLifecycleTests {
    @Test("READY, status through hekatonctl and raw HTTP, RELOADING then READY on SIGHUP, STOPPING and a clean exit on SIGTERM")
    func lifecycle() throws {
        let daemon = try DaemonUnderTest(configuration: "log_level: info\n")
        defer { daemon.stop() }
        let ready = try daemon.notify.wait(for: "READY=1")
        #expect(daemon.notify.messages[..<ready].contains { $0.contains("STATUS=") }, "STATUS lines say what the daemon is doing before READY")

        let viaTool = try hekatonctl(["status", "--json"], socket: daemon.socketPath)
        #expect(viaTool.status == 0, "hekatonctl status failed: \(viaTool.stderr)")
        let status = try JSONDecoder().decode(StatusResponse.self, from: Data(viaTool.stdout.utf8))
        #expect(status.pid == daemon.pid)
        #expect(status.stateDirectory == daemon.stateDirectory)
        #expect(status.version == HekatonVersion.current)
        #expect(status.databaseBytes > 0)
        #expect(status.caller.uid == getuid())

        let raw = try RawSocket.exchange(path: daemon.socketPath,
                                         request: "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(raw.status == 200)
        #expect(raw.text.contains("\"stateDirectory\""))
        #expect(raw.text.lowercased().contains("content-type: application/json"))

        let before = daemon.notify.messages.count
        daemon.signal(SIGHUP)
        let reloading = try daemon.notify.wait(for: "RELOADING=1", after: before)
        #expect(daemon.notify.messages[reloading].contains("MONOTONIC_USEC="))
        _ = try daemon.notify.wait(for: "READY=1", after: reloading + 1)
        #expect(try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).pid == daemon.pid)

        let beforeStop = daemon.notify.messages.count
        daemon.signal(SIGTERM)
        _ = try daemon.notify.wait(for: "STOPPING=1", after: beforeStop)
        #expect(try daemon.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed on a clean stop")
    }

    @Test("WATCHDOG=1 is sent when WATCHDOG_USEC asks for it")
    func watchdog() throws {
        // WATCHDOG_PID must name the daemon, which the test cannot know before starting it;
        // sd_watchdog_enabled accepts the variable without WATCHDOG_PID.
        let daemon = try DaemonUnderTest(environment: ["WATCHDOG_USEC": "400000"])
        defer { daemon.stop() }
        let first = try daemon.notify.wait(for: "WATCHDOG=1")
        _ = try daemon.notify.wait(for: "WATCHDOG=1", after: first + 1)
    }

    @Test("A failed reload keeps the running configuration and still says READY")
    func badReload() throws {
        let daemon = try DaemonUnderTest(configuration: "log_level: info\n")
        defer { daemon.stop() }
        try "log_levle: debug\n".write(toFile: daemon.root.appendingPathComponent("hekatond.yaml").path, atomically: true, encoding: .utf8)
        let before = daemon.notify.messages.count
        daemon.signal(SIGHUP)
        let ready = try daemon.notify.wait(for: "READY=1", after: before)
        #expect(daemon.notify.messages[ready].contains("reload failed"))
        try waitUntil("the reload error in the log") { daemon.log.contains("unknown key 'log_levle'") }
        #expect(try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).pid == daemon.pid)
    }
}
