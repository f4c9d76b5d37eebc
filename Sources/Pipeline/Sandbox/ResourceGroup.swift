import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A control group that caps a step's memory, processes and CPU time, and lets the daemon
/// end every process of the step at once. `ResourceGroupParent` makes them.
///
/// The child joins the group itself before it execs the sandbox (see `wrap`), so nothing it
/// starts can escape the limits.
public struct ResourceGroup: Sendable, Equatable {
    public let directories: [String]

    /// Wraps a command so that its process joins the group before exec'ing it.
    public func wrap(_ command: [String]) -> [String] {
        let joins = directories.map { "echo $$ > '\($0)/cgroup.procs'" }.joined(separator: " && ")
        return ["/bin/sh", "-c", "\(joins) && exec \"$@\"", "hekaton-sandbox"] + command
    }

    /// Peak memory the group saw, in bytes, where the hierarchy reports it.
    public func peakMemoryBytes() -> Int64? {
        for directory in directories {
            for file in ["memory.max_usage_in_bytes", "memory.peak"] {
                if let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8),
                   let value = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return value }
            }
        }
        return nil
    }

    /// User and system CPU seconds of every process the group held: cgroup v2's cpu.stat
    /// (`user_usec`, `system_usec`), or v1's cpuacct (`cpuacct.usage_user`, `cpuacct.usage_sys`,
    /// in nanoseconds). `wait4` cannot tell: the sandbox's processes are not its children's.
    public func cpuSeconds() -> (user: Double, system: Double)? {
        func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
        for directory in directories {
            if let stat = read(directory + "/cpu.stat") {
                var values: [String: Double] = [:]
                for line in stat.split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
                }
                if let user = values["user_usec"], let system = values["system_usec"] { return (user / 1e6, system / 1e6) }
            }
            if let user = read(directory + "/cpuacct.usage_user").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
               let system = read(directory + "/cpuacct.usage_sys").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                return (user / 1e9, system / 1e9)
            }
        }
        return nil
    }

    /// True when the kernel's OOM killer acted in this group (`oom_kill` in v2's
    /// memory.events and v1's memory.oom_control), or v1 refused memory at the limit.
    public func hitMemoryLimit() -> Bool {
        for directory in directories {
            if let text = try? String(contentsOfFile: directory + "/memory.failcnt", encoding: .utf8),
               let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), count > 0 { return true }
            for file in ["memory.events", "memory.oom_control"] {
                if let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8),
                   text.split(separator: "\n").contains(where: { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }) { return true }
            }
        }
        return false
    }

    /// True when a fork or clone in the group was refused at its `pids.max` (the `max`
    /// count of `pids.events`, in v1 and v2 alike).
    public func hitProcessLimit() -> Bool {
        for directory in directories {
            if let text = try? String(contentsOfFile: directory + "/pids.events", encoding: .utf8),
               text.split(separator: "\n").contains(where: { $0.hasPrefix("max ") && !$0.hasSuffix(" 0") }) { return true }
        }
        return false
    }

    /// Sends SIGKILL to every process in the group.
    public func kill() {
        for directory in directories {
            if let pids = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8) {
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { Glibc.kill(pid, SIGKILL) }
            }
        }
    }

    /// Kills whatever still runs in the group (a process that left the sandbox's session),
    /// then removes the group's directories.
    public func remove() {
        kill()

        for directory in directories {
            for _ in 0..<50 {
                if rmdir(directory) == 0 || errno == ENOENT { break }
                usleep(20_000)
            }
        }
    }
}
