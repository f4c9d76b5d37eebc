import Cluster
import Scheduler
import Testing

@Suite("Slurm batch jobs")
struct SlurmBatchJobTests {
    func batch(timeout: Duration? = .seconds(1201), resources: ExecutionResources = ExecutionResources(cpus: 2, memoryBytes: 2 << 30, gpus: 0),
               configuration: SlurmConfiguration = SlurmConfiguration(), log: String = "/state/logs/job-7.log") -> SlurmBatchJob {
        SlurmBatchJob(jobID: 7, attempt: 2, argv: ["/usr/bin/python3", "it's here.py", "--x"], environment: ["PATH": "/usr/bin"],
                      workingDirectory: "/work dir", logPath: log, timeout: timeout, resources: resources, configuration: configuration)
    }

    @Test("A stage's limits become sbatch options: minutes rounded up, MiB, CPUs, GPUs, partition and account")
    func limitsBecomeOptions() {
        var configuration = SlurmConfiguration(partition: "gpu", account: "ml", extraArguments: ["--qos=high"])
        configuration.binDirectory = nil
        let job = batch(resources: ExecutionResources(cpus: 4, memoryBytes: (3 << 30) + 1, gpus: 2), configuration: configuration)
        #expect(job.arguments.contains("--time=21"))
        #expect(job.arguments.contains("--mem=3073M"))
        #expect(job.arguments.contains("--cpus-per-task=4"))
        #expect(job.arguments.contains("--gres=gpu:2"))
        #expect(job.arguments.contains("--partition=gpu"))
        #expect(job.arguments.contains("--account=ml"))
        #expect(job.arguments.contains("--job-name=hekaton-7"))
        #expect(job.arguments.contains("--output=/state/logs/job-7.log"))
        #expect(job.arguments.last == "--qos=high")
    }

    @Test("No GPUs asked, no time limit, defaults: no --gres, --time, --partition or --account")
    func defaultsLeaveOptionsOut() {
        let job = batch(timeout: nil)
        #expect(!job.arguments.contains { $0.hasPrefix("--gres") || $0.hasPrefix("--time") || $0.hasPrefix("--partition") || $0.hasPrefix("--account") })
    }

    @Test("The script execs the same argv, shell-quoted, with exactly the job's environment")
    func scriptExecsTheCommand() {
        let script = batch().script
        #expect(script.hasPrefix("#!/bin/sh\n"))
        #expect(script.contains("cd '/work dir' || exit 127"))
        #expect(script.contains("exec /usr/bin/env -i HEKATON_JOB_ATTEMPT=2 HEKATON_JOB_ID=7 PATH=/usr/bin /usr/bin/python3 'it'\\''s here.py' --x"))
    }

    @Test("A log path Slurm would expand is written by the script instead")
    func percentInLogPath() {
        let job = batch(log: "/state/100%/job-7.log")
        #expect(job.arguments.contains("--output=/dev/null"))
        #expect(job.script.contains(">>/state/100%/job-7.log 2>&1"))
    }
}

@Suite("Slurm job states")
struct SlurmJobStatusTests {
    @Test("scontrol -o show job: state, reason, exit code and signal, nodes")
    func parsesScontrol() throws {
        let line = "JobId=1 JobName=hk UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=0 ExitCode=3:0 NodeList=vm BatchHost=vm"
        let status = try #require(SlurmJobStatus.parse(scontrol: line))
        #expect(status == SlurmJobStatus(state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0, nodes: "vm"))
        #expect(status.hasEnded)
        #expect(status.summary == "FAILED (NonZeroExitCode)")
        let pending = try #require(SlurmJobStatus.parse(scontrol: "JobId=2 JobState=PENDING Reason=Priority ExitCode=0:0 NodeList=(null)"))
        #expect(!pending.hasEnded)
        #expect(pending.nodes == nil)
        #expect(SlurmJobStatus.parse(scontrol: "slurm_load_jobs error: Invalid job id specified") == nil)
    }

    @Test("A job pending for a reason waiting cannot cure cannot start; one waiting for resources can")
    func hopelessPending() {
        #expect(SlurmJobStatus(state: "PENDING", reason: "PartitionTimeLimit").cannotStart)
        #expect(SlurmJobStatus(state: "PENDING", reason: "InvalidAccount").cannotStart)
        #expect(!SlurmJobStatus(state: "PENDING", reason: "Resources").cannotStart)
        #expect(!SlurmJobStatus(state: "PENDING", reason: "ReqNodeNotAvail,_UnavailableNodes:vm").cannotStart)
        #expect(!SlurmJobStatus(state: "RUNNING", reason: "PartitionTimeLimit").cannotStart)
    }

    @Test("sacct: the state's 'by UID' kept as the reason, code:signal")
    func parsesSacct() throws {
        let status = try #require(SlurmJobStatus.parse(sacct: "CANCELLED by 0|0:15|vm"))
        #expect(status == SlurmJobStatus(state: "CANCELLED", reason: "by 0", exitCode: 0, signal: 15, nodes: "vm"))
    }
}
