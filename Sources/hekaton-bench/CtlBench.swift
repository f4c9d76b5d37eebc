import ArgumentParser
import Foundation

extension HekatonBench {
    /// What a `hekatonctl` call costs next to the tools people compare it with: each command
    /// runs once per round, in turn, so every one sees the same machine. CPU time is the
    /// child's user plus system time as `wait4` reports it; wall time runs from the spawn to
    /// the reaped exit.
    struct CtlBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ctl",
            abstract: "CPU and wall time of `hekatonctl status` and `--version`, beside `squeue` and curl on the same route.",
            discussion: """
            Without --socket it starts a hekatond of its own on a temporary state directory and \
            stops it at the end. squeue is measured when Slurm answers; curl when it is installed.
            """)

        @Option(help: "Calls of each command.")
        var calls = 200

        @Option(help: ArgumentHelp("The socket of a running hekatond (default: start one).", valueName: "path"))
        var socket: String?

        @Option(help: ArgumentHelp("The hekatonctl to measure (default: the one beside this program).", valueName: "path"))
        var hekatonctl: String?

        @Option(help: ArgumentHelp("The hekatond to start (default: the one beside this program).", valueName: "path"))
        var hekatond: String?

        @Option(help: ArgumentHelp("Another hekatonctl to measure beside it, such as an earlier build (repeatable).", valueName: "path"))
        var compare: [String] = []

        func validate() throws {
            guard (1...100_000).contains(calls) else { throw ValidationError("--calls must be between 1 and 100000") }
        }

        func run() throws {
            let directory = Self.programDirectory()
            let ctl = hekatonctl ?? directory + "/hekatonctl"
            var daemon: StartedDaemon?
            defer { daemon?.stop() }
            let socketPath: String
            if let socket {
                socketPath = socket
            } else {
                let started = try StartedDaemon.start(hekatond ?? directory + "/hekatond") { [ctl, "status", "--socket", $0] }
                daemon = started
                socketPath = started.socketPath
            }
            var commands: [(name: String, argv: [String])] = [
                ("hekatonctl status", [ctl, "status", "--socket", socketPath]),
                ("hekatonctl --version", [ctl, "--version"]),
            ]
            for other in compare {
                commands.append(("\(other) status", [other, "status", "--socket", socketPath]))
            }
            if let squeue = Self.answering(["squeue"]) { commands.append(("squeue", squeue)) }
            if let curl = Self.answering(["curl", "-sf", "--unix-socket", socketPath, "http://localhost/v1/status"]) {
                commands.append(("curl /v1/status", curl))
            }
            // The first call of each warms the page cache; it is not counted.
            for command in commands { _ = try ChildCost.measure(command.argv) }
            var samples = Array(repeating: [ChildCost](), count: commands.count)
            for _ in 0..<calls {
                for (index, command) in commands.enumerated() {
                    let cost = try ChildCost.measure(command.argv)
                    guard cost.status == 0 else {
                        throw ValidationError("\(command.argv.joined(separator: " ")) exited with status \(cost.status)")
                    }
                    samples[index].append(cost)
                }
            }
            print("ctl: \(calls) calls of each, in turn; milliseconds per call")
            var rows = [["COMMAND", "CPU p50", "CPU p90", "WALL p50", "WALL p90"]]
            for (index, command) in commands.enumerated() {
                let cpu = samples[index].map(\.cpuSeconds).sorted()
                let wall = samples[index].map(\.wallSeconds).sorted()
                rows.append([command.name, Self.milliseconds(cpu, 0.5), Self.milliseconds(cpu, 0.9),
                             Self.milliseconds(wall, 0.5), Self.milliseconds(wall, 0.9)])
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print("ctl: " + row.enumerated().map { column, cell in
                    column == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[column] - cell.count) + cell
                }.joined(separator: "  "))
            }
        }

        static func milliseconds(_ sorted: [Double], _ quantile: Double) -> String {
            String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * quantile))] * 1000)
        }

        /// The command, if it runs and exits 0 here (Slurm may be down, curl missing).
        static func answering(_ argv: [String]) -> [String]? {
            guard let cost = try? ChildCost.measure(argv), cost.status == 0 else { return nil }
            return argv
        }

        static func programDirectory() -> String {
            let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            return URL(fileURLWithPath: path).deletingLastPathComponent().path
        }
    }
}

/// One finished child: its exit status and what it cost. (Not its peak memory: a child
/// started with vfork, as posix_spawn does, reports the parent's as its own.)
struct ChildCost {
    var status: Int32
    var cpuSeconds: Double
    var wallSeconds: Double

    /// Spawns `argv` (searched in PATH) with its output to /dev/null and reaps it with `wait4`.
    static func measure(_ argv: [String]) throws -> ChildCost {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, pointers, environ)
        guard spawned == 0 else {
            throw ValidationError("cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        let exited = status & 0x7f == 0
        return ChildCost(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                         cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
                         wallSeconds: Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9)
    }
}

/// A hekatond on a temporary state directory, for the length of a benchmark.
struct StartedDaemon {
    let pid: pid_t
    let directory: String
    var socketPath: String { directory + "/hekatond.sock" }

    /// Starts `program` and waits until the command `probe` makes for its socket succeeds.
    /// `configuration`, when given, is its `--config` file's text.
    static func start(_ program: String, configuration: String? = nil, probe: (String) -> [String]) throws -> StartedDaemon {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hekaton-ctl-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configArguments: [String] = []
        if let configuration {
            try configuration.write(toFile: directory + "/hekatond.yaml", atomically: true, encoding: .utf8)
            configArguments = ["--config", directory + "/hekatond.yaml"]
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/hekatond.log", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [program, "--state-dir", directory + "/state", "--socket", directory + "/hekatond.sock"] + configArguments
        let pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, pointers, environ)
        guard spawned == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw ValidationError("cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        let daemon = StartedDaemon(pid: pid, directory: directory)
        // Ready once it answers a status call; it may take a while on a busy machine.
        let deadline = Date().addingTimeInterval(60)
        while (try? ChildCost.measure(probe(daemon.socketPath)))?.status != 0 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid || Date() > deadline {
                let log = (try? String(contentsOfFile: directory + "/hekatond.log", encoding: .utf8)) ?? ""
                daemon.stop()
                throw ValidationError("hekatond did not answer on \(daemon.socketPath) within 60 s:\n\(log)")
            }
            usleep(50_000)
        }
        return daemon
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
