import ControlAPI
import ControlClient
import Foundation
import Testing

/// Jobs on the cluster take none of the daemon host's slots (`max_concurrent_jobs`, the host's
/// cores by default); they have a limit of their own, `slurm.max_jobs`. Slurm here is a set of
/// stand-in tools whose jobs run until the test says they are done.
@Suite("Cluster jobs and the host's slots")
struct ClusterSlotTests {
    /// sbatch, scontrol, squeue, scancel and sacct over a directory: every job RUNNING until
    /// `done` exists, then COMPLETED.
    static func standInSlurm(in root: URL) throws -> String {
        let bin = root.appendingPathComponent("slurm-bin").path
        let jobs = root.appendingPathComponent("slurm-jobs").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)
        let done = root.appendingPathComponent("done").path
        let tools = [
            "sbatch": """
                n=$(( $(cat \(jobs)/counter 2>/dev/null || echo 500) + 1 )); echo $n > \(jobs)/counter
                cat > \(jobs)/$n.sh; echo "$@" > \(jobs)/$n.args
                echo $n
                """,
            "scontrol": """
                if [ -f \(done) ]; then state=COMPLETED; else state=RUNNING; fi
                [ -f \(jobs)/$4.cancelled ] && state=CANCELLED
                echo "JobId=$4 JobName=hekaton JobState=$state Reason=None ExitCode=0:0 NodeList=standin1"
                """,
            "squeue": "exit 0",
            "scancel": "touch \(jobs)/$1.cancelled",
            "sacct": "exit 1",
        ]
        for (name, body) in tools {
            let path = bin + "/" + name
            try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        return bin
    }

    func configuration(_ bin: String, maxJobs: Int? = nil) -> String {
        """
        executor: slurm
        max_concurrent_jobs: 1
        slurm:
          bin_directory: \(bin)
          poll_interval: 50ms
          max_poll_interval: 100ms
        \(maxJobs.map { "  max_jobs: \($0)\n" } ?? "")
        """
    }

    func submit(_ daemon: DaemonUnderTest) throws -> Int64 {
        let result = try hekatonctl(["job", "submit", "--json", "--", "/bin/true"], socket: daemon.socketPath)
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(JobInfo.self, from: Data(result.stdout.utf8)).id
    }

    func onCluster(_ id: Int64, _ daemon: DaemonUnderTest) throws -> Bool {
        let job = try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
        return job.state == "running" && job.externalID != nil
    }

    @Test("Three cluster jobs run at once on a daemon with one local slot")
    func clusterJobsTakeNoLocalSlot() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let daemon = try DaemonUnderTest(root: root, configuration: configuration(try Self.standInSlurm(in: root)))
        defer { daemon.stop() }
        let ids = try (0..<3).map { _ in try submit(daemon) }
        try waitUntil("all three jobs to run on the cluster", timeout: .seconds(30), poll: .milliseconds(50)) {
            try ids.allSatisfy { try onCluster($0, daemon) }
        }
        FileManager.default.createFile(atPath: root.appendingPathComponent("done").path, contents: nil)
        try waitUntil("the jobs to succeed", timeout: .seconds(30)) {
            try ids.allSatisfy { try daemon.client.call("GET", "/v1/jobs/\($0)", as: JobInfo.self).state == "succeeded" }
        }
    }

    @Test("slurm.max_jobs caps the cluster jobs running at once; the rest wait queued")
    func clusterLimit() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let daemon = try DaemonUnderTest(root: root, configuration: configuration(try Self.standInSlurm(in: root), maxJobs: 2))
        defer { daemon.stop() }
        let ids = try (0..<3).map { _ in try submit(daemon) }
        try waitUntil("two jobs to run on the cluster", timeout: .seconds(30), poll: .milliseconds(50)) {
            try ids.prefix(2).allSatisfy { try onCluster($0, daemon) }
        }
        #expect(try daemon.client.call("GET", "/v1/jobs/\(ids[2])", as: JobInfo.self).state == "queued")
        FileManager.default.createFile(atPath: root.appendingPathComponent("done").path, contents: nil)
        try waitUntil("all three to succeed", timeout: .seconds(30)) {
            try ids.allSatisfy { try daemon.client.call("GET", "/v1/jobs/\($0)", as: JobInfo.self).state == "succeeded" }
        }
    }
}
