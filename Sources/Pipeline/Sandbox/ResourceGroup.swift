import Foundation

/// A control group that caps a step's memory, processes and CPU time, and lets the daemon
/// end every process of the step at once.
///
/// Uses the cgroup v2 unified hierarchy when it has the controllers, else the v1 `memory`
/// and `pids` hierarchies. The child joins the group itself before it execs the sandbox
/// (see `wrap`), so nothing it starts can escape the limits.
public struct ResourceGroup: Sendable, Equatable {
    public let directories: [String]
    let memoryFile: String?
    let pidsFile: String?

    /// Creates `hekaton/<name>` under each hierarchy and writes the limits; nil when the
    /// machine offers no writable cgroup hierarchy (then only rlimits apply).
    public static func create(name: String, limits: StageLimits, root: String = "/sys/fs/cgroup") -> ResourceGroup? {
        let fm = FileManager.default
        let unified = root + "/cgroup.controllers"
        if let controllers = try? String(contentsOfFile: unified, encoding: .utf8),
           controllers.contains("memory"), controllers.contains("pids") {
            let parent = root + "/hekaton"
            try? fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try? "+memory +pids +cpu".write(toFile: parent + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
            let directory = parent + "/" + name
            guard (try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
            try? "\(limits.cpus * 100_000) 100000".write(toFile: directory + "/cpu.max", atomically: false, encoding: .utf8)
            let group = ResourceGroup(directories: [directory], memoryFile: directory + "/memory.max", pidsFile: directory + "/pids.max")
            return group.apply(limits) ? group : nil
        }
        let memory = root + "/memory/hekaton/" + name
        let pids = root + "/pids/hekaton/" + name
        let cpu = root + "/cpu/hekaton/" + name
        guard fm.fileExists(atPath: root + "/memory"), fm.fileExists(atPath: root + "/pids"),
              (try? fm.createDirectory(atPath: memory, withIntermediateDirectories: true)) != nil,
              (try? fm.createDirectory(atPath: pids, withIntermediateDirectories: true)) != nil else { return nil }
        // CPU time is capped where the cpu controller is there: `cpus` cores' worth per period.
        var directories = [memory, pids]
        if fm.fileExists(atPath: root + "/cpu"), (try? fm.createDirectory(atPath: cpu, withIntermediateDirectories: true)) != nil {
            try? "100000".write(toFile: cpu + "/cpu.cfs_period_us", atomically: false, encoding: .utf8)
            try? "\(limits.cpus * 100_000)".write(toFile: cpu + "/cpu.cfs_quota_us", atomically: false, encoding: .utf8)
            directories.append(cpu)
        }
        let group = ResourceGroup(directories: directories, memoryFile: memory + "/memory.limit_in_bytes",
                                  pidsFile: pids + "/pids.max")
        // Swap would let a step exceed its memory quietly; cap memory+swap too where it exists.
        try? "\(limits.memoryBytes)".write(toFile: memory + "/memory.memsw.limit_in_bytes", atomically: false, encoding: .utf8)
        return group.apply(limits) ? group : nil
    }

    func apply(_ limits: StageLimits) -> Bool {
        do {
            if let memoryFile { try "\(limits.memoryBytes)".write(toFile: memoryFile, atomically: false, encoding: .utf8) }
            if let pidsFile { try "\(limits.processes)".write(toFile: pidsFile, atomically: false, encoding: .utf8) }
            return true
        } catch {
            remove()
            return false
        }
    }

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

    /// True when the kernel's OOM killer acted in this group.
    public func hitMemoryLimit() -> Bool {
        for directory in directories {
            if let text = try? String(contentsOfFile: directory + "/memory.failcnt", encoding: .utf8),
               let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), count > 0 { return true }
            if let text = try? String(contentsOfFile: directory + "/memory.events", encoding: .utf8),
               text.split(separator: "\n").contains(where: { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }) { return true }
        }
        return false
    }

    /// Kills whatever still runs in the group (a process that left the sandbox's session),
    /// then removes the group's directories.
    public func remove() {
        for directory in directories {
            if let pids = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8) {
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
        }
        for directory in directories {
            for _ in 0..<50 {
                if rmdir(directory) == 0 || errno == ENOENT { break }
                usleep(20_000)
            }
        }
    }
}
