import Foundation

/// A process as the host sees it (from `/proc`), for checks on sandboxes from outside:
/// which uid a stage runs as and which control group holds it.
struct HostProcess: Hashable {
    let pid: Int32
    let parent: Int32
    let uid: UInt32
    /// The directory of its memory control group, under /sys/fs/cgroup.
    let memoryGroup: String?

    /// Every process whose chain of parents leads to `ancestor`.
    static func descendants(of ancestor: Int32) -> [HostProcess] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).compactMap(read)
        let byPID = Dictionary(all.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        return all.filter { process in
            var current = process.parent
            for _ in 0..<64 {
                if current == ancestor { return true }
                guard let next = byPID[current] else { return false }
                current = next.parent
            }
            return false
        }
    }

    static func read(_ pid: Int32) -> HostProcess? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        // After "(comm)": state, then the parent's pid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let parent = Int32(fields[1]),
              let uidLine = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
              let uid = uidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap({ UInt32($0) }) else { return nil }
        return HostProcess(pid: pid, parent: parent, uid: uid, memoryGroup: ControlGroups.memoryGroup(of: pid))
    }
}

/// The host's control group hierarchies: cgroup v2 at /sys/fs/cgroup, or v1's per controller.
enum ControlGroups {
    static let root = "/sys/fs/cgroup"
    static let unified = FileManager.default.fileExists(atPath: root + "/cgroup.controllers")

    /// The hierarchies a Hekaton resource group spans (memory and pids).
    static var hierarchies: [String] { unified ? [root] : [root + "/memory", root + "/pids"] }

    static func memoryGroup(of pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if unified, parts[0] == "0" { return root + parts[2] }
            if !unified, parts[1].split(separator: ",").contains("memory") { return root + "/memory" + parts[2] }
        }
        return nil
    }

    /// The memory limit written on a group, in bytes.
    static func memoryLimit(_ group: String) -> Int64? {
        let file = group + (unified ? "/memory.max" : "/memory.limit_in_bytes")
        return (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Makes `relative` (such as `hekaton/X/job-1`) in every hierarchy.
    static func make(_ relative: String) throws {
        for hierarchy in hierarchies {
            try FileManager.default.createDirectory(atPath: hierarchy + "/" + relative, withIntermediateDirectories: true)
        }
    }

    static func exists(_ relative: String) -> Bool {
        hierarchies.contains { FileManager.default.fileExists(atPath: $0 + "/" + relative) }
    }

    /// Moves `pid` into the group `relative` in every hierarchy.
    static func join(_ pid: Int32, _ relative: String) throws {
        for hierarchy in hierarchies {
            try "\(pid)".write(toFile: hierarchy + "/" + relative + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
    }

    /// Removes `relative` and the groups beneath it, deepest first (they must be empty).
    static func remove(_ relative: String) {
        for hierarchy in hierarchies {
            let top = hierarchy + "/" + relative
            let nested = (FileManager.default.subpaths(atPath: top) ?? [])
                .filter { !$0.contains(".") && (try? FileManager.default.attributesOfItem(atPath: top + "/" + $0)[.type] as? FileAttributeType) == .typeDirectory }
                .sorted { $0.count > $1.count }
            for path in nested { rmdir(top + "/" + path) }
            rmdir(top)
        }
    }

    /// A command that execs the rest of its arguments with every cgroup mount read-only in a
    /// mount namespace of its own, as systemd's `ProtectControlGroups=yes` leaves a service.
    static let readOnlyWrapper = [
        "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
        #"for m in $(awk '$5 ~ "^/sys/fs/cgroup" {print $5}' /proc/self/mountinfo); do mount -o remount,bind,ro "$m" || exit 70; done; exec "$@""#,
        "read-only-cgroups",
    ]
}
