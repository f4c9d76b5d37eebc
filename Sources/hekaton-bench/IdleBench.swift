import ArgumentParser
import Foundation

extension HekatonBench {
    /// What an idle `hekatond` costs while nothing is due: its wake-ups (context switches of
    /// all its threads) over a quiet interval, its resident memory and its threads, beside
    /// what a Swift program on Linux pays by default: a minimal async program that has used
    /// one Dispatch worker thread and then sleeps. libdispatch's internal work queue starts a
    /// monitor timer with the first worker thread, and it fires every second for the life of
    /// the process (`_dispatch_workq_init_once` in swift-corelibs-libdispatch); the daemon
    /// runs its tasks on event loops instead (`EventLoopGlobalExecutor`).
    struct IdleBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "idle",
            abstract: "Wake-ups, memory and threads of an idle hekatond, beside a minimal Swift program.",
            discussion: """
            Starts a hekatond of its own on a temporary state directory (and the minimal program), \
            waits --settle seconds for start-up work to end, then counts over --seconds. Wake-ups \
            are the voluntary and involuntary context switches of every thread, from /proc.
            """)

        @Option(help: "Seconds to count over.")
        var seconds = 60

        @Option(help: "Seconds to wait after start-up before counting (past the daemon's 30 s quiet period, after which it gives back its idle pages).")
        var settle = 40

        @Option(help: ArgumentHelp("The hekatonctl that probes readiness (default: the one beside this program).", valueName: "path"))
        var hekatonctl: String?

        @Option(help: ArgumentHelp("The hekatond to start (default: the one beside this program).", valueName: "path"))
        var hekatond: String?

        func validate() throws {
            guard (1...3600).contains(seconds) else { throw ValidationError("--seconds must be between 1 and 3600") }
            guard (0...600).contains(settle) else { throw ValidationError("--settle must be between 0 and 600") }
        }

        func run() throws {
            let directory = CtlBench.programDirectory()
            let ctl = hekatonctl ?? directory + "/hekatonctl"
            let daemon = try StartedDaemon.start(hekatond ?? directory + "/hekatond") { [ctl, "status", "--socket", $0] }
            defer { daemon.stop() }
            var floorPID: pid_t = 0
            let argv = [directory + "/hekaton-bench", "idle-floor"]
            let pointers = argv.map { strdup($0) } + [nil]
            defer { for pointer in pointers { free(pointer) } }
            guard posix_spawn(&floorPID, argv[0], nil, nil, pointers, environ) == 0 else {
                throw ValidationError("cannot start \(argv[0]) idle-floor")
            }
            defer {
                kill(floorPID, SIGTERM)
                var status: Int32 = 0
                waitpid(floorPID, &status, 0)
            }
            sleep(UInt32(settle))
            let processes = [("hekatond", daemon.pid), ("minimal Swift program", floorPID)]
            let before = processes.map { ThreadSwitches.read($0.1) }
            sleep(UInt32(seconds))
            let after = processes.map { ThreadSwitches.read($0.1) }
            print("idle: \(seconds) s counted after \(settle) s to settle")
            for (index, process) in processes.enumerated() {
                let memory = Self.memory(process.1)
                let wakeups = after[index].since(before[index])
                print(String(format: "idle: %-22@ wake-ups %5d (%.1f/min)  RSS %6.1f MiB  anonymous %5.1f MiB  threads %d",
                             process.0 as NSString, wakeups, Double(wakeups) * 60 / Double(seconds),
                             memory.rss / 1024, memory.anonymous / 1024, after[index].byThread.count))
            }
            print("idle: hekatond's wake-ups by thread")
            for (thread, count) in after[0].byThread.sorted(by: { $0.key < $1.key }) {
                let delta = count.switches - (before[0].byThread[thread]?.switches ?? 0)
                print("idle:   \(count.name) (\(thread)): \(delta)")
            }
        }

        /// Resident and anonymous memory in KiB, from smaps_rollup.
        static func memory(_ pid: pid_t) -> (rss: Double, anonymous: Double) {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
            func field(_ name: String) -> Double {
                for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                    return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
                }
                return 0
            }
            return (field("Rss"), field("Anonymous"))
        }
    }

    /// What `idle` compares with: a minimal Swift program that has used one Dispatch worker
    /// thread (as any does on Linux's default global executor), then sleeps.
    struct IdleFloor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "idle-floor", shouldDisplay: false)

        func run() async throws {
            await Task.detached {}.value
            try await Task.sleep(for: .seconds(86_400), clock: .continuous)
        }
    }
}

/// Context switches of each thread of a process.
struct ThreadSwitches {
    var byThread: [Int: (name: String, switches: Int)] = [:]

    /// Switches since `earlier`, of the threads alive now (a thread that ended in between
    /// takes its last switches with it).
    func since(_ earlier: ThreadSwitches) -> Int {
        byThread.reduce(0) { $0 + $1.value.switches - (earlier.byThread[$1.key]?.switches ?? 0) }
    }

    static func read(_ pid: pid_t) -> ThreadSwitches {
        var result = ThreadSwitches()
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            guard let id = Int(task), let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
            var name = "?"
            var switches = 0
            for line in status.split(separator: "\n") {
                if line.hasPrefix("Name:") { name = line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") {
                    switches += Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            result.byThread[id] = (name, switches)
        }
        return result
    }
}
