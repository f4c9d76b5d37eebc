import Foundation
@testable import Pipeline
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The real bubblewrap, the real kernel limits: what participant code can and cannot do.
@Suite("The bubblewrap sandbox", .serialized)
struct SandboxTests {
    let root: URL
    let input: URL
    let output: URL
    let secret: URL
    let uid: UInt32 = 231_000

    init() throws {
        root = URL(fileURLWithPath: "/tmp/hk-sandbox-\(UUID().uuidString.prefix(8))")
        input = root.appendingPathComponent("input")
        output = root.appendingPathComponent("output")
        secret = root.appendingPathComponent("labels")
        for directory in [input, output, secret] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        try "features".write(to: input.appendingPathComponent("features.csv"), atomically: true, encoding: .utf8)
        try "the answers".write(to: secret.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        chown(output.path, uid, uid)
    }

    /// The system a sandbox runs on: the host's /usr and /etc, or an environment image's root
    /// filesystem (`ImageRootFixture`).
    enum System: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case host, image
        var testDescription: String { rawValue }
    }

    /// The systems the containment tests run on: an image's where its tools are installed
    /// (`ImageSandboxTests/fixture` says when they are not).
    static let systems: [System] = ImageRootFixture.available ? [.host, .image] : [.host]

    func spec(limits: StageLimits = .defaults, on system: System = .host) throws -> SandboxSpec {
        SandboxSpec(
            mounts: [.init(source: input.path, target: "/hekaton/input"),
                     .init(source: output.path, target: "/hekaton/output", writable: true)],
            systemPaths: SandboxSpec.defaultSystemPaths,
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"], workingDirectory: "/hekaton/input",
            uid: getuid() == 0 ? uid : nil, limits: limits,
            image: system == .image ? try ImageSystem(root: ImageRootFixture.rootfs, othersMustReach: getuid() == 0) : nil)
    }

    /// A parent of the tests' own, as a daemon instance has (needs a writable cgroup hierarchy: root, as CI runs).
    static let groups = ResourceGroupParent(instance: "sandbox-tests")

    /// Debian's interpreter: the sandbox shows /usr only, as it does for environments.
    static let python = "/usr/bin/python3"

    func run(_ script: String, limits: StageLimits = .defaults, group: ResourceGroup? = nil,
             on system: System = .host) throws -> (status: Int32, output: String) {
        var argv = Bubblewrap.argv(try spec(limits: limits, on: system), command: [Self.python, "-c", script])
        if let group { argv = group.wrap(argv) }
        // Output through a file: a pipe's write end could leak into a concurrently spawned child.
        let log = root.appendingPathComponent("output-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// How a process ended: its exit status, or the signal that killed it.
    enum Ending: Equatable { case exited(Int32), signalled(Int32) }

    /// Runs `argv` with posix_spawn, as the daemon starts stages, from a thread that ends a
    /// second after the process started (the daemon's threads may, while their stages run);
    /// waits for the process and says how it ended. Its output goes to `log`.
    func runFromShortLivedThread(_ argv: [String], log: URL) throws -> Ending {
        let output = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(output >= 0)
        defer { close(output) }
        let spawned = SpawnResult()
        let spawner = Thread {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
            var pid: pid_t = 0
            let cArgs = argv.map { strdup($0) } + [nil]
            let status = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
            cArgs.forEach { free($0) }
            posix_spawn_file_actions_destroy(&actions)
            spawned.set(status == 0 ? pid : -1)
            // bubblewrap sets its parent-death signal once it has made its namespaces; a thread
            // that ends before that leaves it reparented and unharmed, so this one lingers, as
            // an idle worker thread of the daemon does for a few seconds.
            Thread.sleep(forTimeInterval: 1)
        }
        spawner.start()
        let pid = try #require(spawned.wait(), "posix_spawn of \(argv[0])")
        try #require(pid > 0)
        let deadline = Date().addingTimeInterval(10)
        while !spawner.isFinished, Date() < deadline { usleep(10_000) }
        #expect(spawner.isFinished, "the spawning thread ended while the sandbox runs")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    /// The pid a spawning thread hands back.
    final class SpawnResult: @unchecked Sendable {
        private let ready = DispatchSemaphore(value: 0)
        private var pid: pid_t?
        func set(_ value: pid_t) { pid = value; ready.signal() }
        func wait() -> pid_t? { ready.wait(timeout: .now() + 10) == .success ? pid : nil }
    }

    /// bubblewrap's `--die-with-parent` signal follows the *thread* that spawned it: spawned
    /// straight from a daemon thread, a stage was killed with SIGKILL when that thread ended.
    @Test("A sandbox outlives the thread that started it")
    func outlivesSpawningThread() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let argv = Bubblewrap.argv(try spec(), command: ["/bin/sh", "-c", "sleep 3; echo still-here"])
        #expect(argv.contains("--die-with-parent"), "the sandbox still ends with its job")
        let log = root.appendingPathComponent("outlives.log")
        let ending = try runFromShortLivedThread(argv, log: log)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(ending == .exited(0), "the sandbox ended by \(ending): \(output)")
        #expect(output.contains("still-here"), "\(output)")
    }

    @Test("rlimits hold behind the control group: processes of the stage's uid, CPU seconds, no core files", arguments: systems)
    func resourceLimits(on system: System) throws {
        try #require(getuid() == 0, "the rlimits go with the sandbox's own uid, which needs root")
        defer { try? FileManager.default.removeItem(at: root) }
        var limits = StageLimits.defaults
        limits.processes = 12
        limits.wallTimeSeconds = 30
        // No control group here: the rlimit alone stops the fork bomb.
        let (status, output) = try run("""
            import os, resource
            print("nproc", resource.getrlimit(resource.RLIMIT_NPROC)[0], "cpu", resource.getrlimit(resource.RLIMIT_CPU)[0],
                  "core", resource.getrlimit(resource.RLIMIT_CORE)[0])
            n = 0
            try:
                while n < 200:
                    if os.fork() == 0:
                        import time; time.sleep(5); os._exit(0)
                    n += 1
            except OSError:
                pass
            print("forked", n)
            """, limits: limits, on: system)
        #expect(status == 0, "\(output)")
        #expect(output.contains("nproc 20 cpu 90 core 0"), "\(output)")
        let forked = output.split(separator: "\n").first { $0.hasPrefix("forked ") }.flatMap { Int($0.dropFirst(7)) }
        #expect(forked.map { $0 < 20 } == true, "the fork bomb stopped at the rlimit: \(output)")
    }

    /// Whether a process whose command line holds `marker` runs on this machine.
    static func running(_ marker: String) -> Bool {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
            if let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
               String(decoding: data, as: UTF8.self).contains(marker) { return true }
        }
        return false
    }

    @Test("When the command ends, the sandbox ends: nothing it started lingers")
    func nothingLingers() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        // A fractional duration no other process on the machine uses, to find the orphan by.
        let marker = "61.\(Int.random(in: 100_000...999_999))"
        let argv = Bubblewrap.argv(try spec(), command: ["/bin/sh", "-c", "sleep \(marker) & sleep 1; exit 3"])
        #expect(try runFromShortLivedThread(argv, log: root.appendingPathComponent("lingers.log")) == .exited(3), "the command's own status")
        let deadline = Date().addingTimeInterval(5)
        while Self.running(marker), Date() < deadline { usleep(50_000) }
        #expect(!Self.running(marker), "the command's background child was killed with the sandbox")
    }

    @Test("Inputs are readable, the output directory writable, everything else read-only", arguments: systems)
    func filesystem(on system: System) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try run("""
            import os
            print(open('/hekaton/input/features.csv').read())
            open('/hekaton/output/model.txt', 'w').write('ok')
            for path in ['/hekaton/input/x', '/usr/x', '/usr/bin/x', '/bin/x', '/etc/x', '/var/x', '/opt/x', '/x']:
                try:
                    open(path, 'w'); print('WROTE', path)
                except OSError as e:
                    print('refused', path)
            """, on: system)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("features"))
        #expect(!result.output.contains("WROTE"), "\(result.output)")
        #expect(try String(contentsOf: output.appendingPathComponent("model.txt"), encoding: .utf8) == "ok")
    }

    @Test("Nothing outside the mounts is visible: a search for the labels finds nothing", arguments: systems)
    func labelsInvisible(on system: System) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try run("""
            import os
            found = []
            for top in ['/', '/tmp', '/hekaton']:
                for dirpath, dirnames, filenames in os.walk(top, onerror=lambda e: None):
                    if dirpath.startswith(('/proc', '/sys', '/usr', '/etc')): dirnames[:] = []; continue
                    found += [os.path.join(dirpath, f) for f in filenames if 'labels' in f]
            print('FOUND', found)
            print(os.path.exists('\(secret.path)'))
            """, on: system)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("FOUND []"), "\(result.output)")
        #expect(result.output.contains("False"))
    }

    @Test("No network: a listener on the host's 127.0.0.1 cannot be reached", arguments: systems)
    func noNetwork(on system: System) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        listen(listener, 1)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try run("""
            import socket
            s = socket.socket(); s.settimeout(2)
            print('CONNECT', s.connect_ex(('127.0.0.1', \(port))))
            try:
                socket.getaddrinfo('pypi.org', 443); print('DNS worked')
            except OSError:
                print('no DNS')
            """, on: system)
        #expect(result.output.contains("CONNECT 111") || result.output.contains("CONNECT 101"), "\(result.output)")
        #expect(result.output.contains("no DNS"))
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&poller, 1, 100) == 0, "nobody connected to the host's listener")
    }

    @Test("A fork bomb stops at the process limit and the sandbox ends", arguments: systems)
    func forkBomb(on system: System) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        var limits = StageLimits.defaults
        limits.processes = 32
        let group = try Self.groups.create(name: "test-\(UUID().uuidString.prefix(8))", limits: limits)
        defer { group.remove() }
        let result = try run("""
            import os
            children = 0
            try:
                for _ in range(10000):
                    if os.fork() == 0:
                        import time; time.sleep(30); os._exit(0)
                    children += 1
            except OSError as e:
                print('fork refused after', children, e.errno)
            """, limits: limits, group: group, on: system)
        #expect(result.output.contains("fork refused after"), "\(result.output)")
    }

    @Test("Allocating past the memory limit kills the step", arguments: systems)
    func memoryLimit(on system: System) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        var limits = StageLimits.defaults
        limits.memoryBytes = 128 << 20
        let group = try Self.groups.create(name: "test-\(UUID().uuidString.prefix(8))", limits: limits)
        defer { group.remove() }
        let result = try run("""
            blocks = []
            for i in range(64):
                blocks.append(bytearray(16 << 20))
            print('ALLOCATED 1 GiB')
            """, limits: limits, group: group, on: system)
        #expect(result.status != 0)
        #expect(!result.output.contains("ALLOCATED"), "\(result.output)")
        #expect(group.hitMemoryLimit())
    }
}
