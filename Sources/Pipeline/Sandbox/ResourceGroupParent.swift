import Foundation

/// Where one daemon instance makes its stages' resource groups.
///
/// - In a subtree systemd delegated to the service (`Delegate=yes`, cgroup v2): the daemon
///   moves itself into the leaf `<service>/daemon` and makes each stage's group under
///   `<service>/stages`, the layout systemd documents for delegation, so the service's own
///   limits and accounting cover its stages and systemd never moves them.
/// - Anywhere else: `hekaton/<instance>` at the top of the cgroup v2 hierarchy, else in v1's
///   memory, pids and cpu hierarchies. Another daemon on the machine has a parent of its own,
///   so neither limits nor removes the other's groups.
///
/// Memory and process limits are required: a group without them is an error, never a
/// stage run without limits. CPU time is capped where the cpu controller is offered.
public struct ResourceGroupParent: Sendable {
    public let root: String
    public let instance: String
    /// The service's own group (relative to `root`) when systemd delegated it, else nil.
    public let delegated: String?

    public init(instance: String, root: String = "/sys/fs/cgroup", delegated: String? = nil) {
        self.instance = instance
        self.root = root
        self.delegated = delegated
    }

    /// The parent for this process: its own group when that is a delegated cgroup v2 subtree
    /// (systemd marks those with the `trusted.delegate` attribute), else the instance's groups.
    public static func forThisProcess(instance: String, root: String = "/sys/fs/cgroup",
                                      procSelfCgroup: String = "/proc/self/cgroup") -> ResourceGroupParent {
        let text = (try? String(contentsOfFile: procSelfCgroup, encoding: .utf8)) ?? ""
        guard let own = unifiedPath(text), own != "/", isDelegated(root + own) else {
            return ResourceGroupParent(instance: instance, root: root)
        }
        return ResourceGroupParent(instance: instance, root: root, delegated: own)
    }

    /// The cgroup v2 path in a `/proc/PID/cgroup` text (its `0::` line), if there is one.
    static func unifiedPath(_ procSelfCgroup: String) -> String? {
        procSelfCgroup.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    static func isDelegated(_ directory: String) -> Bool {
        ["trusted.delegate", "user.delegate"].contains { ExtendedAttribute.value($0, of: directory) == "1" }
    }

    /// What to do about a group that cannot be had; ends every such message.
    static let remedy = "run hekatond as root with a writable cgroup hierarchy (under systemd: Delegate=yes and without ProtectControlGroups=yes, as systemd/hekatond.service ships; in a container: a writable, delegated /sys/fs/cgroup), or set sandbox_limits: off in its configuration to run stages without memory and process limits"

    /// The group stages are made in (cgroup v2), and the levels above it this daemon owns and
    /// passes controllers through.
    var unifiedLevels: [String] {
        if let delegated { return [root + delegated, root + delegated + "/stages"] }
        return [root + "/hekaton", root + "/hekaton/" + instance]
    }

    /// In a delegated subtree, moves this process into the leaf `daemon`: a group with
    /// children may hold no processes (cgroup v2), so the service's group must be empty before
    /// it can pass controllers to the stages. Elsewhere nothing to do. Returns the daemon's leaf.
    @discardableResult
    public func moveIntoLeaf(pid: Int32 = getpid()) throws(SandboxError) -> String? {
        guard let delegated else { return nil }
        let leaf = root + delegated + "/daemon"
        try Self.makeDirectory(leaf)
        try Self.writeControl("\(pid)", to: leaf + "/cgroup.procs")
        return leaf
    }

    var unified: Bool { FileManager.default.fileExists(atPath: root + "/cgroup.controllers") }

    /// The directories the groups live in.
    public var parents: [String] {
        unified ? [unifiedLevels[unifiedLevels.count - 1]] : ["memory", "pids", "cpu", "cpuacct"].map { root + "/" + $0 + "/hekaton/" + instance }
    }

    public func create(name: String, limits: StageLimits) throws(SandboxError) -> ResourceGroup {
        unified ? try createUnified(name, limits) : try createPerController(name, limits)
    }

    private func createUnified(_ name: String, _ limits: StageLimits) throws(SandboxError) -> ResourceGroup {
        let levels = unifiedLevels
        let parent = levels[levels.count - 1]
        // Controllers pass down a level at a time: each enables for its children what it is offered.
        var cpu = true
        for level in levels {
            try Self.makeDirectory(level)
            cpu = try enableControllers(below: level) && cpu
        }
        let directory = parent + "/" + name
        try Self.makeDirectory(directory)
        let group = ResourceGroup(directories: [directory])
        do {
            try Self.writeControl("\(limits.memoryBytes)", to: directory + "/memory.max")
            try Self.writeControl("\(limits.processes)", to: directory + "/pids.max")
        } catch {
            group.remove()
            throw error
        }
        if cpu { try? Self.writeControl("\(limits.cpus * 100_000) 100000", to: directory + "/cpu.max") }
        return group
    }

    /// Enables memory, pids and, when offered, cpu for the children of `level`; says whether cpu is among them.
    private func enableControllers(below level: String) throws(SandboxError) -> Bool {
        let offered = ((try? String(contentsOfFile: level + "/cgroup.controllers", encoding: .utf8)) ?? "")
            .split(whereSeparator: \.isWhitespace).map(String.init)
        let missing = ["memory", "pids"].filter { !offered.contains($0) }
        guard missing.isEmpty else {
            throw SandboxError(.controlGroup, "the control group \(level) is not offered the \(missing.joined(separator: " and ")) controller (it has: \(offered.isEmpty ? "none" : offered.joined(separator: " "))); \(Self.remedy)")
        }
        let wanted = ["memory", "pids", "cpu"].filter(offered.contains)
        try Self.writeControl(wanted.map { "+" + $0 }.joined(separator: " "), to: level + "/cgroup.subtree_control")
        return wanted.contains("cpu")
    }

    private func createPerController(_ name: String, _ limits: StageLimits) throws(SandboxError) -> ResourceGroup {
        let relative = "/hekaton/" + instance + "/" + name
        let fm = FileManager.default
        guard fm.fileExists(atPath: root + "/memory"), fm.fileExists(atPath: root + "/pids") else {
            throw SandboxError(.controlGroup, "no control group hierarchy with the memory and pids controllers at \(root) (neither cgroup v2's cgroup.controllers nor v1's memory/ and pids/); \(Self.remedy)")
        }
        var made: [String] = []
        do {
            for hierarchy in ["memory", "pids"] {
                try Self.makeDirectory(root + "/" + hierarchy + relative)
                made.append(root + "/" + hierarchy + relative)
            }
            try Self.writeControl("\(limits.memoryBytes)", to: made[0] + "/memory.limit_in_bytes")
            try Self.writeControl("\(limits.processes)", to: made[1] + "/pids.max")
        } catch {
            ResourceGroup(directories: made).remove()
            throw error
        }
        // Swap would let a step exceed its memory quietly: memory+swap is capped too where it is
        // accounted (after memory: the kernel keeps it at or above the memory limit).
        try? Self.writeControl("\(limits.memoryBytes)", to: made[0] + "/memory.memsw.limit_in_bytes")
        let cpu = root + "/cpu" + relative
        if fm.fileExists(atPath: root + "/cpu"), (try? Self.makeDirectory(cpu)) != nil {
            try? Self.writeControl("100000", to: cpu + "/cpu.cfs_period_us")
            try? Self.writeControl("\(limits.cpus * 100_000)", to: cpu + "/cpu.cfs_quota_us")
            made.append(cpu)
        }
        // Where cpuacct is a hierarchy of its own (not mounted with cpu), a group there counts
        // the stage's CPU time: `wait4` sees only the sandbox's outer process.
        let accounting = root + "/cpuacct" + relative
        if fm.fileExists(atPath: root + "/cpuacct/cpuacct.usage"), !fm.fileExists(atPath: root + "/cpu/cpuacct.usage"),
           (try? Self.makeDirectory(accounting)) != nil {
            made.append(accounting)
        }
        return ResourceGroup(directories: made)
    }

    /// Kills what runs in this instance's groups and removes them, and then their parent (made
    /// again when needed). At start-up every group of the instance is stale: its stages
    /// belonged to a daemon process that is gone. At shutdown none should be left.
    @discardableResult
    public func removeAll() -> [String] {
        var removed: Set<String> = []
        for parent in parents {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: parent + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                ResourceGroup(directories: [parent + "/" + name]).remove()
                removed.insert(name)
            }
            rmdir(parent)
        }
        return removed.sorted()
    }

    /// Creates `path` and the directories above it that are missing.
    static func makeDirectory(_ path: String) throws(SandboxError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 {
                let code = errno
                guard code == EEXIST else {
                    throw SandboxError(.controlGroup, "cannot create the control group \(current): \(String(cString: strerror(code))); \(remedy)")
                }
            }
        }
    }

    static func writeControl(_ value: String, to path: String) throws(SandboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let bytes = Array(value.utf8)
        let written = fd >= 0 ? bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } : -1
        let code = errno
        if fd >= 0 { close(fd) }
        guard written == bytes.count else {
            throw SandboxError(.controlGroup, "cannot write '\(value)' to \(path): \(String(cString: strerror(code))); \(remedy)")
        }
    }
}
