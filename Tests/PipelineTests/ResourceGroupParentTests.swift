import Foundation
@testable import Pipeline
import Testing

/// How an instance's resource groups are made, on a scratch tree shaped like cgroupfs: which
/// controllers are enabled, which limits written, and that a missing controller or an
/// unwritable limit is an error naming the file and what to do, never a group without limits.
@Suite("Resource groups of an instance")
struct ResourceGroupParentTests {
    let root: URL
    let limits = StageLimits(wallTimeSeconds: 60, memoryBytes: 256 << 20, processes: 32, cpus: 2, gpus: 0)

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hk-cgroup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// A cgroup v2 tree whose levels offer `controllers`, as the kernel would list them.
    func unifiedTree(offering controllers: String, instance: String = "i1") throws {
        for level in ["", "/hekaton", "/hekaton/\(instance)"] {
            try FileManager.default.createDirectory(atPath: root.path + level, withIntermediateDirectories: true)
            try controllers.write(toFile: root.path + level + "/cgroup.controllers", atomically: true, encoding: .utf8)
        }
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: root.path + "/" + relative, encoding: .utf8)
    }

    @Test("cgroup v2 without cpu: memory and pids are enabled at each level and the limits written")
    func unifiedWithoutCPU() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try unifiedTree(offering: "cpuset io memory pids\n")
        let group = try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        #expect(group.directories == [root.path + "/hekaton/i1/job-7"])
        #expect(read("hekaton/cgroup.subtree_control") == "+memory +pids")
        #expect(read("hekaton/i1/cgroup.subtree_control") == "+memory +pids")
        #expect(read("hekaton/i1/job-7/memory.max") == "\(256 << 20)")
        #expect(read("hekaton/i1/job-7/pids.max") == "32")
        #expect(read("hekaton/i1/job-7/cpu.max") == nil, "no cpu controller, no CPU cap")
    }

    @Test("cgroup v2 with cpu: CPU time is capped too")
    func unifiedWithCPU() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try unifiedTree(offering: "cpu memory pids")
        _ = try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        #expect(read("hekaton/i1/cgroup.subtree_control") == "+memory +pids +cpu")
        #expect(read("hekaton/i1/job-7/cpu.max") == "200000 100000")
    }

    @Test("A hierarchy that does not offer memory is an error naming the group and the remedy")
    func missingMemory() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try unifiedTree(offering: "cpu pids")
        let error = try #require(throws: SandboxError.self) {
            try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        }
        #expect(error.code == .controlGroup)
        #expect(error.message.contains("\(root.path)/hekaton is not offered the memory controller"), "\(error.message)")
        #expect(error.message.contains("ProtectControlGroups=yes") && error.message.contains("sandbox_limits: off"))
    }

    @Test("A limit that cannot be written is an error, and the half-made group is removed")
    func unwritableLimit() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        try unifiedTree(offering: "memory pids")
        // A directory where the limit's file should be: writing it fails even as root.
        try FileManager.default.createDirectory(atPath: root.path + "/hekaton/i1/job-7/pids.max", withIntermediateDirectories: true)
        let error = try #require(throws: SandboxError.self) {
            try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        }
        #expect(error.message.contains("cannot write '32' to \(root.path)/hekaton/i1/job-7/pids.max: Is a directory"), "\(error.message)")
    }

    @Test("No hierarchy at all (v2 nor v1) is an error, not a stage without limits")
    func noHierarchy() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let error = try #require(throws: SandboxError.self) {
            try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        }
        #expect(error.message.contains("no control group hierarchy with the memory and pids controllers at \(root.path)"), "\(error.message)")
    }

    @Test("The stage's CPU time comes from its group: v2's cpu.stat, or v1's cpuacct on a hierarchy of its own")
    func cpuAccounting() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        for hierarchy in ["memory", "pids", "cpu", "cpuacct"] {
            try FileManager.default.createDirectory(atPath: root.path + "/" + hierarchy, withIntermediateDirectories: true)
        }
        try "0\n".write(toFile: root.path + "/cpuacct/cpuacct.usage", atomically: true, encoding: .utf8)
        let group = try ResourceGroupParent(instance: "i1", root: root.path).create(name: "job-7", limits: limits)
        let accounting = root.path + "/cpuacct/hekaton/i1/job-7"
        #expect(group.directories.last == accounting)
        #expect(group.cpuSeconds() == nil, "nothing counted yet")
        try "2500000000\n".write(toFile: accounting + "/cpuacct.usage_user", atomically: true, encoding: .utf8)
        try "500000000\n".write(toFile: accounting + "/cpuacct.usage_sys", atomically: true, encoding: .utf8)
        #expect(group.cpuSeconds().map { [$0.user, $0.system] } == [2.5, 0.5])

        let unified = root.path + "/v2-job"
        try FileManager.default.createDirectory(atPath: unified, withIntermediateDirectories: true)
        try "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 0\n".write(toFile: unified + "/cpu.stat", atomically: true, encoding: .utf8)
        #expect(ResourceGroup(directories: [unified]).cpuSeconds().map { [$0.user, $0.system] } == [2.0, 1.0])
    }

    @Test("A refused fork is read from pids.events (v1 and v2 alike); none refused reads as not hit")
    func processLimitHit() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.path + "/pids-job"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let group = ResourceGroup(directories: [root.path + "/memory-job", directory])
        #expect(!group.hitProcessLimit(), "no pids.events at all")
        try "max 0\n".write(toFile: directory + "/pids.events", atomically: true, encoding: .utf8)
        #expect(!group.hitProcessLimit())
        try "max 3\n".write(toFile: directory + "/pids.events", atomically: true, encoding: .utf8)
        #expect(group.hitProcessLimit())
    }

    @Test("cgroup v1: a group per controller under hekaton/<instance>; stale ones are the instance's only")
    func perControllerAndStale() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        for hierarchy in ["memory", "pids", "cpu"] {
            try FileManager.default.createDirectory(atPath: root.path + "/" + hierarchy, withIntermediateDirectories: true)
        }
        let parent = ResourceGroupParent(instance: "i1", root: root.path)
        let group = try parent.create(name: "job-7", limits: limits)
        #expect(group.directories == ["memory", "pids", "cpu"].map { root.path + "/\($0)/hekaton/i1/job-7" })
        #expect(read("memory/hekaton/i1/job-7/memory.limit_in_bytes") == "\(256 << 20)")
        #expect(read("pids/hekaton/i1/job-7/pids.max") == "32")
        #expect(read("cpu/hekaton/i1/job-7/cpu.cfs_quota_us") == "200000")
        _ = try ResourceGroupParent(instance: "other", root: root.path).create(name: "job-7", limits: limits)
        // On a real cgroupfs the control files vanish with the directory; here they go first.
        for directory in group.directories {
            for file in try FileManager.default.contentsOfDirectory(atPath: directory) { try FileManager.default.removeItem(atPath: directory + "/" + file) }
        }
        #expect(parent.removeAll() == ["job-7"])
        #expect(!FileManager.default.fileExists(atPath: root.path + "/memory/hekaton/i1/job-7"))
        #expect(FileManager.default.fileExists(atPath: root.path + "/memory/hekaton/other/job-7"), "another instance's group stays")
    }

    /// A service's group as systemd leaves it under `Delegate=yes` (cgroup v2): marked with
    /// `trusted.delegate`, its controllers offered, and this process in it.
    func delegatedService(marked: Bool) throws -> (own: String, procSelfCgroup: String) {
        let own = "/system.slice/hekatond.service"
        try FileManager.default.createDirectory(atPath: root.path + own, withIntermediateDirectories: true)
        try "cpu memory pids io".write(toFile: root.path + "/cgroup.controllers", atomically: true, encoding: .utf8)
        try "cpu memory pids".write(toFile: root.path + own + "/cgroup.controllers", atomically: true, encoding: .utf8)
        if marked {
            #expect(ExtendedAttribute.set("trusted.delegate", to: "1", of: root.path + own), "setting trusted.* needs root")
        }
        let procSelfCgroup = root.path + "/proc-self-cgroup"
        try "0::\(own)\n".write(toFile: procSelfCgroup, atomically: true, encoding: .utf8)
        return (own, procSelfCgroup)
    }

    @Test("Delegate=yes: the daemon moves into <service>/daemon and stages go under <service>/stages")
    func delegatedSubtree() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (own, procSelfCgroup) = try delegatedService(marked: true)
        let parent = ResourceGroupParent.forThisProcess(instance: "i1", root: root.path, procSelfCgroup: procSelfCgroup)
        #expect(parent.delegated == own)
        let leaf = try parent.moveIntoLeaf(pid: 4242)
        #expect(leaf == root.path + own + "/daemon")
        #expect(read(String(own.dropFirst()) + "/daemon/cgroup.procs") == "4242")
        // The kernel would offer the stages level what the service enabled for its children.
        try FileManager.default.createDirectory(atPath: root.path + own + "/stages", withIntermediateDirectories: true)
        try "cpu memory pids".write(toFile: root.path + own + "/stages/cgroup.controllers", atomically: true, encoding: .utf8)
        let group = try parent.create(name: "job-7", limits: limits)
        #expect(group.directories == [root.path + own + "/stages/job-7"])
        #expect(read(String(own.dropFirst()) + "/cgroup.subtree_control") == "+memory +pids +cpu")
        #expect(read(String(own.dropFirst()) + "/stages/cgroup.subtree_control") == "+memory +pids +cpu")
        #expect(read(String(own.dropFirst()) + "/stages/job-7/memory.max") == "\(256 << 20)")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/hekaton"), "nothing at the top of the hierarchy")
        #expect(parent.parents == [root.path + own + "/stages"])
    }

    @Test("A service group systemd did not delegate is left alone: the instance's groups at the top, as outside systemd")
    func undelegatedService() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, procSelfCgroup) = try delegatedService(marked: false)
        let parent = ResourceGroupParent.forThisProcess(instance: "i1", root: root.path, procSelfCgroup: procSelfCgroup)
        #expect(parent.delegated == nil)
        #expect(try parent.moveIntoLeaf(pid: 4242) == nil)
        #expect(parent.parents == [root.path + "/hekaton/i1"])
    }

    @Test("The cgroup v2 line of /proc/self/cgroup is found among v1's")
    func unifiedPathParsing() {
        #expect(ResourceGroupParent.unifiedPath("4:memory:/x\n0::/system.slice/a.service\n") == "/system.slice/a.service")
        #expect(ResourceGroupParent.unifiedPath("4:memory:/x\n") == nil)
    }
}
