import Foundation
import Testing

/// The Slurm cluster the cluster executor's tests run against: the one-node cluster
/// `scripts/slurm-up` starts on this machine (CI runs it first).
enum SlurmCluster {
    /// Set by `.ci/run`: a missing cluster is then a failure, not a reason to skip.
    static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_SLURM"] == "1"

    /// A controller answers and a node can take jobs.
    static let isUp: Bool = {
        guard let answer = try? runCommand("/usr/bin/env", ["sinfo", "-h", "-o", "%T"]), answer.status == 0 else { return false }
        return answer.stdout.split(whereSeparator: \.isNewline).contains { ["idle", "mixed", "allocated"].contains($0) }
    }()

    /// Whether the cluster tests run: when a cluster is up, or when CI requires one.
    static let enabled = required || isUp
    static let skipReason: Comment = "no Slurm cluster answers here (run scripts/slurm-up as root); HEKATON_REQUIRE_SLURM=1 makes this a failure"

    /// This machine's cluster is the one slurm-up wrote, so a test may stop and start its controller.
    static let isOurs: Bool = {
        getuid() == 0 && ((try? String(contentsOfFile: "/etc/slurm/slurm.conf", encoding: .utf8))?.contains("written by hekaton scripts/slurm-up") ?? false)
    }()

    /// `squeue`'s state for a job id: nil once the job is no longer pending, running or completing.
    static func queueState(_ id: String) throws -> String? {
        let answer = try runCommand("/usr/bin/env", ["squeue", "-h", "-j", id, "-o", "%T"])
        let state = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return answer.status == 0 && !state.isEmpty ? state : nil
    }

    static func scancel(_ id: String) throws {
        let answer = try runCommand("/usr/bin/env", ["scancel", id])
        guard answer.status == 0 else { throw CommandFailed(what: "scancel \(id)", output: answer.stderr) }
    }

    /// Stops slurmctld (its state is saved) and waits until it has gone.
    static func stopController() throws {
        let answer = try runCommand("/usr/bin/env", ["scontrol", "shutdown", "slurmctld"])
        guard answer.status == 0 else { throw CommandFailed(what: "scontrol shutdown slurmctld", output: answer.stderr) }
        try waitUntil("slurmctld to stop", timeout: .seconds(30), poll: .milliseconds(100)) {
            try runCommand("/usr/bin/env", ["scontrol", "ping"]).stdout.contains("DOWN")
        }
    }

    /// Marks this machine's node down, as a node failure would: Slurm ends its jobs NODE_FAIL.
    static func failNode() throws {
        let host = try runCommand("/bin/hostname", ["-s"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = try runCommand("/usr/bin/env", ["scontrol", "update", "nodename=\(host)", "state=down", "reason=hekaton-node-failure-test"])
        guard answer.status == 0 else { throw CommandFailed(what: "scontrol update state=down", output: answer.stderr) }
    }

    /// Starts whatever of the cluster is not running and waits until the node is idle.
    static func start() throws {
        let script = BuiltProducts.packageRoot.appendingPathComponent("scripts/slurm-up").path
        let answer = try runCommand(script, [])
        guard answer.status == 0 else { throw CommandFailed(what: "scripts/slurm-up", output: answer.stderr) }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let what: String
        let output: String
        var description: String { "\(what) failed: \(output)" }
    }
}
