import ControlAPI
import ControlClient
import Foundation
import Testing

/// The cluster executor against a real Slurm (the one-node cluster of `scripts/slurm-up`):
/// jobs submitted with sbatch, followed, cancelled from both sides, re-attached after the
/// daemon is killed, kept waiting while the controller is down, and refused clearly.
@Suite("Slurm cluster executor", .serialized, .enabled(if: SlurmCluster.enabled, SlurmCluster.skipReason))
struct SlurmEndToEndTests {
    static let slurmConfiguration = """
        executor: slurm
        slurm:
          poll_interval: 100ms
          max_poll_interval: 1s
          controller_backoff: 2s
        """

    func slurmDaemon(root: URL? = nil, configuration: String = Self.slurmConfiguration) throws -> DaemonUnderTest {
        #expect(SlurmCluster.isUp || !SlurmCluster.required, "HEKATON_REQUIRE_SLURM=1 but no Slurm cluster answers: run scripts/slurm-up")
        return try DaemonUnderTest(root: root, configuration: configuration + "\n")
    }

    /// Submits through `hekatonctl job submit`, as a host would.
    func submit(_ command: [String], _ daemon: DaemonUnderTest, options: [String] = []) throws -> JobInfo {
        let result = try hekatonctl(["job", "submit", "--json"] + options + ["--"] + command, socket: daemon.socketPath)
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(JobInfo.self, from: Data(result.stdout.utf8))
    }

    func job(_ id: Int64, _ daemon: DaemonUnderTest) throws -> JobInfo {
        try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
    }

    /// Waits until the job runs on a node and the daemon has seen it run; answers its Slurm id.
    func waitUntilRunningOnCluster(_ id: Int64, _ daemon: DaemonUnderTest) throws -> String {
        var slurmID: String?
        try waitUntil("job \(id) to run on the cluster", timeout: .seconds(60), poll: .milliseconds(100)) {
            let info = try job(id, daemon)
            slurmID = info.externalID
            guard let slurmID, info.clusterState == "RUNNING" else { return false }
            return try SlurmCluster.queueState(slurmID) == "RUNNING"
        }
        return try #require(slurmID)
    }

    func waitForEnd(_ id: Int64, _ daemon: DaemonUnderTest, timeout: Duration = .seconds(60)) throws -> JobInfo {
        var last: JobInfo?
        try waitUntil("job \(id) to end (last: \(last?.state ?? "-"))", timeout: timeout, poll: .milliseconds(100)) {
            last = try job(id, daemon)
            return ["succeeded", "dead", "cancelled"].contains(last!.state)
        }
        return try #require(last)
    }

    @Test("The Pococha example trains on the cluster (manifest executors: train: slurm) and is scored end to end")
    func pocochaTrainsOnSlurm() throws {
        let pipeline = PipelineEndToEndTests()
        // The example competition, with training sent to the cluster and the rest local.
        let daemon = try pipeline.competitionDaemon(manifestAddition: "executors:\n  train: slurm\n")
        defer { daemon.stop() }
        let submission = try pipeline.submit(PipelineEndToEndTests.examples.appendingPathComponent("submissions/mf"), tag: "mf", daemon)
        let final = try pipeline.waitForEnd(submission.id, daemon)
        #expect(final.state == "scored", "\(final.error ?? "") \(final.logTail ?? "")")
        #expect((final.score ?? 0) > 0)

        let train = try job(try #require(final.jobs["train"]), daemon)
        #expect(train.executor == "slurm")
        let slurmID = try #require(train.externalID, "the train job records its Slurm job id")
        #expect(Int(slurmID) != nil)
        #expect(train.clusterState == "COMPLETED")
        for stage in ["build", "predict", "score"] {
            #expect(try job(try #require(final.jobs[stage]), daemon).executor == "local", "\(stage) runs locally")
        }
        let shown = try hekatonctl(["job", "show", "\(train.id)"], socket: daemon.socketPath)
        #expect(shown.stdout.contains("slurm (id \(slurmID))"), "\(shown.stdout)")
        #expect(shown.stdout.contains("COMPLETED"), "\(shown.stdout)")
        let logs = try hekatonctl(["job", "logs", "\(train.id)"], socket: daemon.socketPath)
        #expect(logs.stdout.contains("submitted to Slurm as job \(slurmID)"), "\(logs.stdout)")
        #expect(logs.stdout.contains("--mem=2048M"), "the stage's memory limit became --mem: \(logs.stdout)")
        try daemon.expectHealthyStore()
    }

    @Test("hekatonctl job cancel scancels the Slurm job, and status showed it while it ran")
    func cancelThroughHekatonctl() throws {
        let daemon = try slurmDaemon()
        defer { daemon.stop() }
        let submitted = try submit(["/bin/sleep", "300"], daemon)
        let slurmID = try waitUntilRunningOnCluster(submitted.id, daemon)

        let status = try hekatonctl(["status"], socket: daemon.socketPath)
        #expect(status.stdout.contains("job \(submitted.id): slurm job \(slurmID), RUNNING"), "\(status.stdout)")
        let shown = try hekatonctl(["job", "show", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(shown.stdout.contains("slurm (id \(slurmID))"), "\(shown.stdout)")
        #expect(shown.stdout.contains("cluster state  RUNNING"), "\(shown.stdout)")

        let cancelled = try hekatonctl(["job", "cancel", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        let ended = try waitForEnd(submitted.id, daemon)
        #expect(ended.state == "cancelled")
        #expect(try SlurmCluster.queueState(slurmID) == nil, "squeue no longer lists Slurm job \(slurmID)")
    }

    @Test("A job cancelled from outside with scancel ends dead, saying so")
    func cancelledOutside() throws {
        let daemon = try slurmDaemon()
        defer { daemon.stop() }
        let submitted = try submit(["/bin/sleep", "300"], daemon)
        let slurmID = try waitUntilRunningOnCluster(submitted.id, daemon)
        try SlurmCluster.scancel(slurmID)
        let ended = try waitForEnd(submitted.id, daemon)
        #expect(ended.state == "dead", "an administrator's scancel is not retried")
        let error = ended.error ?? ""
        #expect(error.contains("cancelled outside Hekaton (scancel"), "\(error)")
        #expect(error.contains("CANCELLED"), "\(error)")
        #expect(error.contains("Slurm job \(slurmID)"), "\(error)")
    }

    @Test("A daemon killed (or stopped) while a cluster job runs re-attaches to it after its restart; no second sbatch",
          arguments: [SIGKILL, SIGTERM])
    func reattachAfterKill(signal: Int32) throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try slurmDaemon(root: root)
        let submitted = try submit(["/bin/sh", "-c", "sleep 4; echo finished on the cluster"], first, options: ["--max-attempts", "1"])
        let slurmID = try waitUntilRunningOnCluster(submitted.id, first)
        first.signal(signal)
        _ = try first.waitForExit()
        #expect(try SlurmCluster.queueState(slurmID) == "RUNNING", "the cluster job outlives the daemon")
        try? FileManager.default.removeItem(atPath: first.notify.path)

        let second = try slurmDaemon(root: root)
        defer { second.stop() }
        let ended = try waitForEnd(submitted.id, second)
        #expect(ended.state == "succeeded", "\(ended.error ?? "")")
        #expect(ended.externalID == slurmID, "the same Slurm job")
        #expect(ended.attempt == 1, "re-attaching is not another attempt")
        let logs = try hekatonctl(["job", "logs", "\(submitted.id)"], socket: second.socketPath).stdout
        #expect(logs.contains("re-attached to Slurm job \(slurmID)"), "\(logs)")
        #expect(logs.contains("finished on the cluster"), "\(logs)")
        #expect(logs.components(separatedBy: "submitted to Slurm").count == 2, "one sbatch only: \(logs)")
    }

    @Test("Jobs queued while slurmctld is down wait, say why, and run once it is back",
          .enabled(if: SlurmCluster.isOurs, "only on the cluster scripts/slurm-up runs, as root"))
    func controllerOutage() throws {
        let daemon = try slurmDaemon()
        defer { daemon.stop() }
        try SlurmCluster.stopController()
        var restarted = false
        defer { if !restarted { try? SlurmCluster.start() } }
        let jobs = try (1...2).map { try submit(["/bin/echo", "after the outage \($0)"], daemon, options: ["--max-attempts", "1"]) }
        for submitted in jobs {
            try waitUntil("job \(submitted.id) to report the unreachable controller", timeout: .seconds(60), poll: .milliseconds(200)) {
                try job(submitted.id, daemon).clusterState == "UNREACHABLE"
            }
            let info = try job(submitted.id, daemon)
            #expect(info.state == "running", "it waits in Hekaton; no attempt is burnt")
            #expect(info.clusterDetail?.contains("unreachable") == true, "\(info.clusterDetail ?? "")")
        }
        let status = try hekatonctl(["status"], socket: daemon.socketPath)
        #expect(status.stdout.contains("UNREACHABLE"), "\(status.stdout)")

        try SlurmCluster.start()
        restarted = true
        for submitted in jobs {
            let ended = try waitForEnd(submitted.id, daemon, timeout: .seconds(180))
            #expect(ended.state == "succeeded", "\(ended.error ?? "")")
            #expect(ended.attempt == 1)
            let logs = try hekatonctl(["job", "logs", "\(submitted.id)"], socket: daemon.socketPath).stdout
            #expect(logs.contains("the Slurm controller is unreachable"), "\(logs)")
            #expect(logs.contains("after the outage"), "\(logs)")
        }
    }

    @Test("A node that fails under a job fails the attempt (NODE_FAIL), and the queue's retry runs it again",
          .enabled(if: SlurmCluster.isOurs, "only on the cluster scripts/slurm-up runs, as root"))
    func nodeFailure() throws {
        let daemon = try slurmDaemon()
        defer { daemon.stop() }
        let submitted = try submit(["/bin/sh", "-c", "sleep 3; echo second time lucky"], daemon, options: ["--max-attempts", "2"])
        let slurmID = try waitUntilRunningOnCluster(submitted.id, daemon)
        try SlurmCluster.failNode()
        defer { try? SlurmCluster.start() }
        var failed: JobInfo?
        try waitUntil("job \(submitted.id) to fail its first attempt", timeout: .seconds(60), poll: .milliseconds(100)) {
            failed = try job(submitted.id, daemon)
            return failed!.error?.contains("NODE_FAIL") == true
        }
        #expect(failed?.error?.contains("Slurm job \(slurmID) ended NODE_FAIL") == true, "\(failed?.error ?? "")")
        #expect(failed?.error?.contains("retried") == true, "\(failed?.error ?? "")")
        try SlurmCluster.start()
        let ended = try waitForEnd(submitted.id, daemon, timeout: .seconds(90))
        #expect(ended.state == "succeeded", "\(ended.error ?? "")")
        #expect(ended.attempt == 2)
        #expect(ended.externalID != slurmID, "the retry is a new Slurm job")
    }

    @Test("sbatch's refusal (a partition that does not exist) is the job's error, in Slurm's words")
    func rejectedPartition() throws {
        let daemon = try slurmDaemon(configuration: Self.slurmConfiguration + "\n  partition: no-such-partition")
        defer { daemon.stop() }
        let submitted = try submit(["/bin/echo", "never"], daemon)
        let ended = try waitForEnd(submitted.id, daemon)
        #expect(ended.state == "dead", "retrying the same request cannot help")
        #expect(ended.error?.contains("sbatch rejected the job") == true, "\(ended.error ?? "")")
        #expect(ended.error?.contains("Invalid partition name specified") == true, "\(ended.error ?? "")")
        let shown = try hekatonctl(["job", "show", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(shown.stdout.contains("Invalid partition name specified"), "\(shown.stdout)")
    }

    @Test("A job Slurm accepts but can never start (its time limit above the partition's) is cancelled and dead, saying why",
          .enabled(if: SlurmCluster.isOurs, "needs the 'short' partition scripts/slurm-up defines"))
    func neverStarts() throws {
        let daemon = try slurmDaemon(configuration: Self.slurmConfiguration + "\n  partition: short")
        defer { daemon.stop() }
        let submitted = try submit(["/bin/echo", "never"], daemon, options: ["--timeout", "10m"])
        let ended = try waitForEnd(submitted.id, daemon)
        #expect(ended.state == "dead")
        let error = ended.error ?? ""
        #expect(error.contains("Slurm cannot run job"), "\(error)")
        // Slurm says PartitionConfig first, PartitionTimeLimit once its scheduler has looked.
        #expect(error.contains("PartitionTimeLimit") || error.contains("PartitionConfig"), "\(error)")
        let slurmID = try #require(ended.externalID)
        #expect(try SlurmCluster.queueState(slurmID) == nil, "Hekaton cancelled it")
    }
}
