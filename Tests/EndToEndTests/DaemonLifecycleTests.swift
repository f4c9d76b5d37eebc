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

    @Test("On SIGTERM an idle keep-alive connection is closed at once, not held for the grace period")
    func drainsIdleConnections() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let connection = try RawSocket(path: daemon.socketPath)
        try connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        var answer: [UInt8] = []
        try waitUntil("the first answer on the kept-alive connection") {
            answer += connection.readUntilClosed(timeout: .milliseconds(100)).data
            return String(decoding: answer, as: UTF8.self).contains("\"stateDirectory\"")
        }
        let beforeStop = daemon.notify.messages.count
        daemon.signal(SIGTERM)
        _ = try daemon.notify.wait(for: "STOPPING=1", after: beforeStop)
        #expect(connection.readUntilClosed(timeout: .seconds(30)).closed, "the daemon closes the idle connection")
        #expect(try daemon.waitForExit() == 0)
        #expect(!daemon.log.contains("did not finish within the grace period"), "the idle connection was closed, not cut off: \(daemon.log)")
    }

    @Test("SIGTERM with a job running stops the job first and puts it back in its queue, its attempt not counted; the next daemon runs it")
    func shutdownRequeues() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let marker = root.appendingPathComponent("started").path
        var daemon = try DaemonUnderTest(root: root)
        // The first run waits to be stopped; the run after the restart finishes at once.
        let script = "if [ -e \(marker) ]; then exit 0; fi; touch \(marker); exec sleep 600"
        let submitted = try hekatonctl(["job", "submit", "--json", "--", "/bin/sh", "-c", script], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(JobInfo.self, from: Data(submitted.stdout.utf8)).id
        try waitUntil("the job to start") { FileManager.default.fileExists(atPath: marker) }
        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0, "\(daemon.log)")
        #expect(!daemon.log.contains("did not finish within the grace period"), "\(daemon.log)")

        try? FileManager.default.removeItem(atPath: daemon.notify.path)
        daemon = try DaemonUnderTest(root: root)
        defer { daemon.stop() }
        var job: JobInfo?
        try waitUntil("the job to run again and end (last: \(job?.state ?? "-"))") {
            job = try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
            return ["succeeded", "failed", "dead"].contains(job!.state)
        }
        #expect(job?.state == "succeeded")
        #expect(job?.attempt == 1, "the attempt the shutdown stopped is not counted")
    }

    @Test("A failure of the job workers stops the daemon in order and exits non-zero with the error, so that systemd restarts it")
    func workerFailure() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        // The database refuses every claim: the workers' next round fails.
        let database = daemon.stateDirectory + "/hekaton.sqlite3"
        let trigger = """
            CREATE TRIGGER refuse_claims BEFORE UPDATE OF state ON job WHEN NEW.state = 'running'
            BEGIN SELECT RAISE(ABORT, 'claims refused by the test'); END
            """
        let added = try runCommand("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=20); c.execute(sys.argv[2]); c.commit()", database, trigger])
        try #require(added.status == 0, "\(added.stderr)")
        let beforeFailure = daemon.notify.messages.count
        let submitted = try hekatonctl(["job", "submit", "--", "/bin/true"], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        _ = try daemon.notify.wait(for: "STOPPING=1", after: beforeFailure)
        #expect(try daemon.waitForExit() == 1)
        let log = daemon.log
        #expect(log.contains("the job workers failed; stopping"), "\(log)")
        #expect(log.contains("hekatond: the job workers failed") && log.contains("claims refused by the test"), "\(log)")
        #expect(!log.contains(" stopped\n"), "a failed daemon does not say it stopped cleanly: \(log)")
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
