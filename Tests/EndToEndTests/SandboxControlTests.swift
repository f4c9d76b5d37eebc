import ControlAPI
import ControlClient
import Foundation
import Testing

/// The sandbox's controls as the daemon applies them: a stage's figures come from its
/// control group, and a stage whose limits cannot be set does not run without them.
@Suite("Sandbox controls", .serialized, .enabled(if: getuid() == 0, "resource groups need root, as CI runs"))
struct SandboxControlTests {
    let hostile = HostileSubmissionTests()

    /// Submits a Trainer running `body` and waits until the train job has ended.
    func trainJob(_ name: String, _ body: String, _ daemon: DaemonUnderTest) throws -> JobInfo {
        let id = try hostile.submit(try hostile.hostile(name, body, in: daemon), daemon)
        let submission = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
        let train = try #require(submission.jobs["train"])
        var job: JobInfo?
        try waitUntil("train job \(train) to end", timeout: .seconds(180), poll: .milliseconds(100)) {
            job = try daemon.client.call("GET", "/v1/jobs/\(train)", as: JobInfo.self)
            return ["succeeded", "failed", "dead", "cancelled"].contains(job!.state)
        }
        return try #require(job)
    }

    @Test("A stage's peak memory is its control group's: 160 MiB allocated is reported as at least that")
    func peakMemory() throws {
        let daemon = try hostile.daemonWithTightLimits(memory: "512MiB", wallTime: "120s")
        defer { daemon.stop() }
        let job = try trainJob("hungry", """
                block = bytearray(160 << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
        """, daemon)
        #expect(job.state == "succeeded", "\(job.error ?? "")")
        let peak = try #require(job.peakMemoryBytes)
        #expect(peak >= 160 << 20, "peak \(peak >> 20) MiB")
        let shown = try hekatonctl(["job", "show", "\(job.id)"], socket: daemon.socketPath)
        #expect(shown.stdout.contains("peak memory"), "\(shown.stdout)")
    }

    @Test("A stage whose control group cannot be made (read-only cgroups) is dead at once, saying why and what to do")
    func readOnlyControlGroups() throws {
        let daemon = try hostile.daemonWithTightLimits(wallTime: "60s", wrapper: ControlGroups.readOnlyWrapper)
        defer { daemon.stop() }
        let job = try trainJob("refused", "        pass", daemon)
        #expect(job.state == "dead", "\(job.state): \(job.error ?? "")")
        #expect(job.attempt == 1, "not retried: the same hierarchy refuses again")
        let error = job.error ?? ""
        #expect(error.contains("Read-only file system"), "\(error)")
        #expect(error.contains("/sys/fs/cgroup"), "\(error)")
        #expect(error.contains("ProtectControlGroups") && error.contains("sandbox_limits: off"), "\(error)")
    }

    @Test("With sandbox_limits: off the same stage runs, without a resource group")
    func limitsOff() throws {
        let daemon = try hostile.daemonWithTightLimits(wallTime: "60s", configuration: "sandbox_limits: \"off\"\n",
                                                       wrapper: ControlGroups.readOnlyWrapper)
        defer { daemon.stop() }
        let job = try trainJob("unlimited", "        pass", daemon)
        #expect(job.state == "succeeded", "\(job.error ?? "")")
    }
}
