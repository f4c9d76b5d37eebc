import ControlAPI
import ControlClient
import Foundation
import Synchronization
import Testing

/// Participants who try to read what is not theirs, crash the daemon with numbers it cannot
/// hold, or starve it of memory: each is refused, and the daemon answers on.
@Suite("Hostile clients", .serialized)
struct HostileClientTests {
    static let examples = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha")
    static let openAPI = BuiltProducts.packageRoot.appendingPathComponent("docs/openapi.yaml")
    static let otherUser = "hekaton-test-b"

    func expectStillServing(_ daemon: DaemonUnderTest) throws {
        let status = try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
        #expect(status.pid == daemon.pid, "the same daemon still answers")
    }

    /// One request as another real user, through curl: status code and body.
    func curl(as user: String, _ method: String, _ path: String, body: String? = nil,
              _ daemon: DaemonUnderTest) throws -> (status: Int, body: String) {
        var arguments = ["-u", user, "--", "/usr/bin/curl", "-sS", "--max-time", "60", "--unix-socket", daemon.socketPath,
                         "-X", method, "-o", "-", "-w", "\n%{http_code}"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try runCommand("/usr/sbin/runuser", arguments + ["http://hekatond" + path])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// One request as the test's own user (a host): status code and body text.
    func answer(_ daemon: DaemonUnderTest, _ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, text: String) {
        let (head, bytes) = try daemon.client.raw(method, path, body: body.map { Array($0.utf8) })
        return (head.status, String(decoding: bytes, as: UTF8.self))
    }

    static func ensureUser(_ name: String) throws {
        if (try? runCommand("/usr/bin/id", [name]))?.status != 0 {
            let created = try runCommand("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
            try #require(created.status == 0, "\(created.stderr)")
        }
    }

    /// Every operation of the OpenAPI document with its `x-hekaton-access`.
    static func documentedRoutes() throws -> [(method: String, path: String, access: String)] {
        var routes: [(String, String, String)] = []
        var path = "", method = ""
        for line in try String(contentsOf: openAPI, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") { method = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "") }
            if line.hasPrefix("      x-hekaton-access: ") { routes.append((method.uppercased(), path, String(line.split(separator: " ").last!))) }
        }
        return routes
    }

    @Test("Numbers a daemon cannot hold are refused with a clear error, and it lives on")
    func crashInputs() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        // Each of these once killed the daemon (1e308 when the job started, and again after every restart).
        for body in [#"{"argv":["/bin/true"],"timeoutSeconds":1e308}"#, #"{"argv":["/bin/true"],"maxAttempts":1000000000}"#,
                     #"{"argv":["/bin/true"],"priority":9223372036854775807}"#, #"{"argv":["/bin/true"],"queue":""}"#] {
            let answer = try answer(daemon, "POST", "/v1/jobs", body)
            #expect(answer.status == 400, "\(body): \(answer.text)")
        }
        for grace in ["nan", "inf", "1e300", "-1"] {
            let answer = try answer(daemon, "POST", "/v1/gc?graceSeconds=\(grace)&dryRun=true")
            #expect(answer.status == 400, "graceSeconds=\(grace): \(answer.text)")
            #expect(answer.text.contains("graceSeconds"))
        }
        let negative = try answer(daemon, "GET", "/v1/jobs?limit=-1")
        #expect(negative.status == 400, "\(negative.text)")
        let zone = String(repeating: "Europe/Berlin", count: 1600)
        let schedule = try answer(daemon, "POST", "/v1/schedules",
            #"{"name":"z","cron":"0 4 * * *","timeZone":"\#(zone)","argv":["/bin/true"]}"#)
        #expect(schedule.status == 400)
        #expect(schedule.text.contains("at most 64"), "\(schedule.text)")

        // A manifest whose limits no Duration or cgroup file can hold is refused at publishing.
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        let manifest = competition.appendingPathComponent("hekaton.yaml")
        for (from, to, field) in [("train: {wall_time: 20m}", "train: {wall_time: \"1e300\"}", "limits.train.wall_time"),
                                  ("memory: 2GiB", "memory: 1e300GiB", "limits.default.memory"),
                                  ("processes: 64", "processes: 9223372036854775807", "limits.default.processes")] {
            let original = try String(contentsOf: manifest, encoding: .utf8)
            try original.replacingOccurrences(of: from, with: to).write(to: manifest, atomically: true, encoding: .utf8)
            let published = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
            #expect(published.status == 1, "\(to): \(published.stdout)")
            #expect(published.stderr.contains(field), "\(published.stderr)")
            try original.write(to: manifest, atomically: true, encoding: .utf8)
        }
        try expectStillServing(daemon)
        let jobs = try daemon.client.call("GET", "/v1/jobs", as: JobList.self)
        #expect(jobs.jobs.isEmpty, "nothing refused was enqueued")
    }

    @Test("Every route, called by a participant on another participant's and the host's objects, refuses or shows only what is theirs")
    func routeWalk() throws {
        try #require(getuid() == 0, "switching to other uids needs root, as CI runs")
        try Self.ensureUser(Self.otherUser)
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        defer { daemon.stop() }
        let day = daemon.root.appendingPathComponent("day")
        _ = try runCommand("/usr/bin/env", ["python3", Self.examples.appendingPathComponent("generate.py").path,
                                            "--day", "2026-11-28", "--out", day.path, "--listeners", "200", "--livers", "50"])
        #expect(try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath).status == 0)
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let hostJob = try daemon.client.call("POST", "/v1/jobs", body: JobSubmitRequest(argv: ["/bin/echo", "host secret"]), as: JobInfo.self)
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let theirs = try runCommand("/usr/sbin/runuser", ["-u", Self.otherUser, "--", BuiltProducts.hekatonctl, "submit",
                                                          "--competition", "pococha", "--json", bundle.path],
                                    environment: ["HEKATON_SOCKET": daemon.socketPath])
        try #require(theirs.status == 0, "\(theirs.stderr)")
        let submission = try JSONDecoder().decode(SubmissionInfo.self, from: Data(theirs.stdout.utf8))
        try waitUntil("submission \(submission.id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/submissions/\(submission.id)", as: SubmissionInfo.self).state == "scored"
        }
        let model = try #require(try daemon.client.call("GET", "/v1/submissions/\(submission.id)", as: SubmissionInfo.self).modelDigest)
        let modelPrefix = String(model.split(separator: ":").last!.prefix(16))

        let routes = try Self.documentedRoutes()
        #expect(routes.count >= 30, "the document lists every route")
        for route in routes {
            var path = route.path
                .replacingOccurrences(of: "/v1/jobs/{id}", with: "/v1/jobs/\(hostJob.id)")
                .replacingOccurrences(of: "/submissions/{id}", with: "/submissions/\(submission.id)")
                .replacingOccurrences(of: "/v1/schedules/{name}", with: "/v1/schedules/pococha.ingest")
                .replacingOccurrences(of: "/v1/datasets/{name}", with: "/v1/datasets/pococha-daily")
                .replacingOccurrences(of: "{name}", with: "pococha")
            if route.path == "/v1/lineage" { path += "?ref=model:\(modelPrefix)" }
            let answer = try curl(as: "nobody", route.method, path, body: route.method == "GET" ? nil : "{}", daemon)
            let what = "\(route.method) \(path) (\(route.access)): \(answer.status) \(answer.body.prefix(300))"
            switch route.access {
            case "host":
                #expect(answer.status == 403, "\(what)")
            case "owner":
                // Lists of the caller's own: none of another's in them.
                if ["/v1/submissions", "/v1/events", "/v1/competitions/{name}/selections", "/ui/submissions"].contains(route.path) && route.method == "GET" {
                    #expect(answer.status == 200, "\(what)")
                    #expect(!answer.body.contains("\"id\":\(submission.id)") && !answer.body.contains("\"submission\":\"\(submission.id)\"")
                            && !answer.body.contains("/ui/submissions/\(submission.id)\""),
                            "another participant's submission is not listed: \(what)")
                } else if route.path.hasSuffix("/selections") {
                    #expect(answer.status == 400, "a participant may select, but this body names no submissions: \(what)")
                } else if route.path.hasSuffix("/submissions") {
                    #expect(answer.status == 400, "a participant may submit, but this body is no bundle: \(what)")
                } else {
                    #expect(answer.status == 404, "\(what)")
                }
            default:
                #expect((200..<300).contains(answer.status), "\(what)")
            }
            #expect(!answer.body.contains("host secret"), "\(what)")
            #expect(!answer.body.contains(day.path), "the host's paths stay the host's: \(what)")
        }
        // The participant's own lineage is theirs to read.
        let mine = try curl(as: Self.otherUser, "GET", "/v1/lineage?ref=model:\(modelPrefix)", daemon)
        #expect(mine.status == 200, "\(mine.body.prefix(300))")

        // A host route refuses from the head alone: a 100 MB body that never comes is not waited for.
        let refused = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/curl", "-sS", "--max-time", "20",
                                                            "--unix-socket", daemon.socketPath, "-X", "POST", "-H", "Content-Length: 100000000",
                                                            "-H", "Expect:", "-o", "-", "-w", "\n%{http_code}", "http://hekatond/v1/jobs"])
        #expect(refused.stdout.hasSuffix("403"), "\(refused.stdout) \(refused.stderr)")
        try expectStillServing(daemon)
        try daemon.expectHealthyStore()
    }

    /// A line of `/proc/PID/status` or `/proc/PID/io`, as a number (kB for memory lines).
    static func procValue(_ pid: Int32, _ file: String, _ key: String) -> Int64 {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int64(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    @Test("A client that reads nothing of a 200 MB log, and uploads that pour in, cost the daemon little memory")
    func memoryBounds() throws {
        try #require(getuid() == 0, "switching to other uids needs root, as CI runs")
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\nmax_log_bytes: 1073741824\n")
        defer { daemon.stop() }
        let job = try daemon.client.call("POST", "/v1/jobs", body: JobSubmitRequest(
            argv: ["/bin/sh", "-c", "head -c 200000000 /dev/zero | tr '\\0' x"]), as: JobInfo.self)
        try waitUntil("the 200 MB log to be written", timeout: .seconds(180), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/jobs/\(job.id)", as: JobInfo.self).state == "succeeded"
        }
        let peakBefore = Self.procValue(daemon.pid, "status", "VmHWM")
        // Three clients ask for the whole log and read none of it.
        var readers: [RawSocket] = []
        for _ in 0..<3 {
            let socket = try RawSocket(path: daemon.socketPath)
            try socket.send("GET /v1/jobs/\(job.id)/logs HTTP/1.1\r\nHost: x\r\n\r\n")
            readers.append(socket)
        }
        // The daemon reads the log only as fast as the clients take it: its reads soon stop.
        var last = Int64(-1)
        try waitUntil("the daemon to stop reading the log", timeout: .seconds(60), poll: .seconds(1)) {
            let read = Self.procValue(daemon.pid, "io", "rchar")
            defer { last = read }
            return read == last
        }
        let afterLogs = Self.procValue(daemon.pid, "status", "VmHWM")
        #expect(afterLogs - peakBefore < 64 << 10, "peak RSS grew by \(afterLogs - peakBefore) kB while three clients held a 200 MB log")
        print("memory bounds: VmHWM \(peakBefore) kB before, \(afterLogs) kB after three unread 200 MB logs")

        // Four participants pour 64 MiB each into the upload route at once: spooled to disk, not held.
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("hekaton-upload-\(UUID())")
        defer { try? FileManager.default.removeItem(at: upload) }
        FileManager.default.createFile(atPath: upload.path, contents: nil, attributes: [.posixPermissions: 0o644])
        try FileHandle(forWritingTo: upload).truncate(atOffset: 64 << 20)
        let codes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let sent = try? runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/curl", "-sS", "--max-time", "120",
                                                             "--unix-socket", daemon.socketPath, "-X", "POST", "-T", upload.path,
                                                             "-o", "/dev/null", "-w", "%{http_code}",
                                                             "http://hekatond/v1/competitions/none/submissions"])
            codes.withLock { $0.append(sent?.stdout ?? "not run") }
        }
        #expect(codes.withLock { $0 } == ["404", "404", "404", "404"],
                "each body was taken in full and the unknown competition refused")
        let afterUploads = Self.procValue(daemon.pid, "status", "VmHWM")
        #expect(afterUploads - afterLogs < 64 << 10, "peak RSS grew by \(afterUploads - afterLogs) kB while 256 MiB were uploaded")
        print("memory bounds: VmHWM \(afterUploads) kB after four 64 MiB uploads")
        let spooled = (try? FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/tmp/uploads")) ?? []
        #expect(spooled.isEmpty, "spooled uploads are removed once answered: \(spooled)")
        withExtendedLifetime(readers) {}
        try expectStillServing(daemon)
    }

    @Test("A client that trickles a byte at a time is closed at the idle timeout, not kept open by each byte")
    func trickle() throws {
        let daemon = try DaemonUnderTest(configuration: "idle_timeout_seconds: 1\n")
        defer { daemon.stop() }
        let socket = try RawSocket(path: daemon.socketPath)
        var closed = false
        var answer: [UInt8] = []
        for byte in Array("GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "a", count: 40))\r\n\r\n".utf8) {
            if (try? socket.send([byte])) == nil { closed = true; break }
            let (data, ended) = socket.readUntilClosed(timeout: .milliseconds(200))
            answer += data
            if ended { closed = true; break }
        }
        #expect(closed, "the trickling connection was closed before its request was complete")
        #expect(!String(decoding: answer, as: UTF8.self).contains("200 OK"))
        try expectStillServing(daemon)
    }

    @Test("Requests that are not HTTP/1.1 get a problem+json answer, not an empty body", arguments: [
        "FOO / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /v1/status HTTP/1.1\r\nHost x\r\n\r\n",
    ])
    func protocolErrors(request: String) throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let answer = try RawSocket.exchange(path: daemon.socketPath, request: request)
        #expect(answer.status == 400, "\(answer.text)")
        #expect(answer.text.contains("application/problem+json"), "\(answer.text)")
        #expect(answer.text.contains("\"title\":\"Bad request\""), "\(answer.text)")
        try expectStillServing(daemon)
    }

    @Test("A full disk is answered as a full disk (507), not as SQLite's error code, and the daemon recovers when space returns")
    func fullDisk() throws {
        try #require(getuid() == 0, "mounting a small file system needs root, as CI runs")
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        // The daemon's state directory is itself the small file system.
        let small = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        let mounted = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", small.path])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? runCommand("/bin/umount", ["-l", small.path]) }
        let daemon = try DaemonUnderTest(root: root)
        defer { daemon.stop() }
        // Fill what is left of the file system.
        let filler = small.appendingPathComponent("filler")
        _ = try runCommand("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=1M", "count=64"])
        let labels = Dictionary(uniqueKeysWithValues: (0..<60).map { ("label\($0)", String(repeating: "v", count: 1000)) })
        var full: (status: Int, text: String)?
        for _ in 0..<200 {
            let body = try JSONEncoder().encode(JobSubmitRequest(argv: ["/bin/true"], labels: labels, notBefore: "2099-01-01T00:00:00Z"))
            let (head, bytes) = try daemon.client.raw("POST", "/v1/jobs", body: Array(body))
            if head.status != 201 { full = (head.status, String(decoding: bytes, as: UTF8.self)); break }
        }
        let answer = try #require(full, "the disk never filled")
        #expect(answer.status == 507, "\(answer.text)")
        #expect(answer.text.contains("disk holding the daemon's state directory is full"), "\(answer.text)")
        #expect(!answer.text.contains("SQLite"), "\(answer.text)")
        try FileManager.default.removeItem(at: filler)
        let again = try daemon.client.raw("POST", "/v1/jobs", body: Array(#"{"argv":["/bin/true"]}"#.utf8))
        #expect(again.0.status == 201, "with space again the daemon accepts work: \(String(decoding: again.1, as: UTF8.self))")
        try expectStillServing(daemon)
    }
}
