import Execution
import Foundation
import Scheduler
import Testing

@Suite("Local executor")
struct LocalExecutorTests {
    let fixture: ExecutionFixture
    let executor = LocalExecutor(configuration: LocalExecutorConfiguration(gracePeriod: .milliseconds(300)))

    init() throws { fixture = try ExecutionFixture() }

    func run(_ job: Job, stop: ExecutionStop = ExecutionStop(), log: String = "job.log") async throws -> ExecutionResult {
        try await executor.run(job, context: ExecutionContext(logURL: URL(fileURLWithPath: fixture.path(log)), stop: stop))
    }

    @Test("The exit status is a result, zero or not", arguments: [0, 1, 3, 255] as [Int32])
    func exitStatus(status: Int32) async throws {
        let result = try await run(try fixture.job(["/bin/sh", "-c", "exit \(status)"]))
        #expect(result.termination == .exited(status))
        #expect(result.succeeded == (status == 0))
        #expect(result.stoppedBy == nil)
    }

    @Test("Death by a signal is a result")
    func signal() async throws {
        let result = try await run(try fixture.job(["/bin/sh", "-c", "kill -KILL $$"]))
        #expect(result.termination == .signalled(SIGKILL))
        #expect(result.stoppedBy == nil)
    }

    @Test("stdout and stderr are appended to the log, across attempts; stdin is empty")
    func logCapture() async throws {
        let job = try fixture.job(["/bin/sh", "-c", "echo out; echo err >&2; cat; echo done"])
        _ = try await run(job, log: "logs/deeper/job.log")
        _ = try await run(job, log: "logs/deeper/job.log")
        #expect(fixture.read("logs/deeper/job.log") == "out\nerr\ndone\nout\nerr\ndone\n")
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.path("logs/deeper/job.log"))[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o037 } == 0, "no write for the group, nothing for others")
    }

    @Test("A log past its cap keeps its tail, says what was dropped, and the job runs on")
    func logCap() async throws {
        let executor = LocalExecutor(configuration: LocalExecutorConfiguration(maxLogBytes: 1 << 20))
        // 40,000 numbered lines (about 8 MB), a pause now and then so the cap acts while the job writes.
        let script = "i=0; while [ $i -lt 40000 ]; do printf 'line %06d %0180d\\n' $i 0; i=$((i+1)); "
            + "[ $((i % 10000)) -eq 0 ] && sleep 0.3; done; echo the-last-line"
        let job = try fixture.job(["/bin/sh", "-c", script])
        let result = try await executor.run(job, context: ExecutionContext(logURL: URL(fileURLWithPath: fixture.path("big.log"))))
        #expect(result.succeeded)
        let text = try #require(fixture.read("big.log"))
        #expect(text.utf8.count <= 1 << 20, "the log is \(text.utf8.count) bytes")
        #expect(text.hasPrefix("[hekaton] this log passed its limit of 1048576 bytes"), "\(text.prefix(200))")
        #expect(text.hasSuffix("the-last-line\n"))
        #expect(text.contains("line 039999"))
        #expect(!text.contains("line 000001 "), "the head was dropped")
    }

    @Test("The child gets exactly the base environment, the job's variables and its own id, in its directory")
    func environmentAndDirectory() async throws {
        let executor = LocalExecutor(configuration: LocalExecutorConfiguration(
            baseEnvironment: ["PATH": "/usr/bin:/bin", "LANG": "C"], workingDirectory: "/"))
        let job = try fixture.job(["env"], environment: ["LANG": "C.UTF-8", "SEED": "7"], workingDirectory: fixture.directory.path)
        let log = URL(fileURLWithPath: fixture.path("env.log"))
        _ = try await executor.run(job, context: ExecutionContext(logURL: log))
        let lines = Set((fixture.read("env.log") ?? "").split(separator: "\n").map(String.init))
        #expect(lines == [
            "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "SEED=7", "HEKATON_JOB_ID=\(job.id)", "HEKATON_JOB_ATTEMPT=1",
        ])

        let pwd = try fixture.job(["/bin/pwd"], workingDirectory: fixture.directory.path)
        _ = try await executor.run(pwd, context: ExecutionContext(logURL: URL(fileURLWithPath: fixture.path("pwd.log"))))
        let printed = (fixture.read("pwd.log") ?? "").trimmingCharacters(in: .newlines)
        #expect(URL(fileURLWithPath: printed).resolvingSymlinksInPath().path == fixture.directory.resolvingSymlinksInPath().path)
    }

    @Test("Resource use is recorded: peak memory, user time, wall time")
    func resourceUsage() async throws {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let program = "b = b'x' * (100 * 1024 * 1024)\ntotal = sum(range(5_000_000))"
        let result = try await run(try fixture.job([python, "-c", program]))
        #expect(result.termination == .exited(0))
        #expect(try #require(result.peakMemoryBytes) >= 100 * 1024 * 1024)
        #expect(result.userSeconds > 0)
        #expect(result.wallSeconds > 0)
    }

    @Test("A timeout ends the whole process group, the grandchild included")
    func timeoutKillsTheGroup() async throws {
        let job = try fixture.job(["/bin/sh", "-c", "sleep 100 & echo $! > \(fixture.path("grandchild.pid")); wait"])
        let stop = ExecutionStop()
        async let result = run(job, stop: stop)
        let grandchild = try await fixture.pid(writtenTo: "grandchild.pid")
        #expect(!ExecutionFixture.isGone(grandchild))
        stop.request(.timeout)
        let ended = try await result
        #expect(ended.stoppedBy == .timeout && ended.timedOut)
        #expect(ended.termination == .signalled(SIGTERM))
        #expect(try await ExecutionFixture.eventually { ExecutionFixture.isGone(grandchild) })
    }

    @Test("A group that ignores SIGTERM is killed after the grace period")
    func graceThenKill() async throws {
        let script = "trap '' TERM; sleep 100 & echo $! > \(fixture.path("grandchild.pid")); wait"
        let job = try fixture.job(["/bin/sh", "-c", script])
        let stop = ExecutionStop()
        async let result = run(job, stop: stop)
        let grandchild = try await fixture.pid(writtenTo: "grandchild.pid")
        stop.request(.cancel)
        let ended = try await result
        #expect(ended.stoppedBy == .cancel && ended.cancelled)
        #expect(ended.termination == .signalled(SIGKILL))
        #expect(try await ExecutionFixture.eventually { ExecutionFixture.isGone(grandchild) })
    }

    @Test("Processes a job leaves behind end with it")
    func leftoversAreKilled() async throws {
        let job = try fixture.job(["/bin/sh", "-c", "sleep 100 & echo $! > \(fixture.path("leftover.pid"))"])
        let ended = try await run(job)
        #expect(ended.termination == .exited(0) && ended.stoppedBy == nil)
        let leftover = try await fixture.pid(writtenTo: "leftover.pid")
        #expect(try await ExecutionFixture.eventually { ExecutionFixture.isGone(leftover) })
    }

    @Test("A stop requested before the child started still stops it")
    func stopBeforeStart() async throws {
        let stop = ExecutionStop()
        stop.request(.cancel)
        let ended = try await run(try fixture.job(["/bin/sleep", "100"]), stop: stop)
        #expect(ended.stoppedBy == .cancel)
        #expect(ended.termination == .signalled(SIGTERM))
    }

    static let unrunnable: [([String], ExecutionError.Code, String)] = [
        (["no-such-program-hekaton"], .executableNotFound, "the executable 'no-such-program-hekaton' was not found in PATH"),
        (["/nonexistent/bin/tool"], .executableNotFound, "the executable '/nonexistent/bin/tool' does not exist"),
    ]

    @Test("A command that cannot run is an error that names it", arguments: unrunnable)
    func cannotRun(argv: [String], code: ExecutionError.Code, message: String) async throws {
        let job = try fixture.job(argv)
        let error = await #expect(throws: ExecutionError.self) { try await run(job) }
        #expect(error?.code == code)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(error?.isPermanent == true)
    }

    @Test("A file without execute permission, or not a program at all, is an error that names it")
    func notExecutable() async throws {
        let plain = fixture.path("notes.txt")
        try "just text\n".write(toFile: plain, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: plain)
        let error = await #expect(throws: ExecutionError.self) { try await run(try fixture.job([plain])) }
        #expect(error?.code == .notExecutable)
        #expect(error?.message == "'\(plain)' is not an executable file (check its permissions)")

        // Executable, but neither a binary nor a script with #!.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plain)
        let format = await #expect(throws: ExecutionError.self) { try await run(try fixture.job([plain])) }
        #expect(format?.code == .notExecutable)
        #expect(format?.message.hasPrefix("'\(plain)' cannot be executed") == true, "\(format?.message ?? "")")
    }

    @Test("A missing working directory is an error that names it")
    func missingDirectory() async throws {
        let job = try fixture.job(["/bin/true"], workingDirectory: "/nonexistent/work")
        let error = await #expect(throws: ExecutionError.self) { try await run(job) }
        #expect(error?.code == .workingDirectoryNotFound)
        #expect(error?.message == "the working directory '/nonexistent/work' does not exist or is not a directory")
    }

    @Test("Re-attaching by external id is refused: a local child does not survive its daemon")
    func noReattach() async throws {
        let job = try fixture.job(["/bin/true"])
        let context = ExecutionContext(logURL: URL(fileURLWithPath: fixture.path("x.log")), externalID: "1234")
        let error = await #expect(throws: ExecutionError.self) { try await executor.run(job, context: context) }
        #expect(error?.code == .cannotReattach)
    }
}
