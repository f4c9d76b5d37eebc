import Cluster
import Foundation
import Scheduler
import Testing

/// Stand-ins for sbatch, scontrol, scancel and sacct: shell scripts over a directory of job
/// files, so the executor's decisions are tested on any machine. The real cluster is
/// `EndToEndTests/SlurmEndToEndTests`.
final class FakeSlurm: @unchecked Sendable {
    let root: URL
    var bin: String { root.appendingPathComponent("bin").path }
    var log: URL { root.appendingPathComponent("job.log") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hk-fake-slurm-\(UUID().uuidString.prefix(8))")
        let fm = FileManager.default
        try fm.createDirectory(atPath: root.path + "/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root.path + "/jobs", withIntermediateDirectories: true)
        let dir = root.path
        // A job file holds "STATE CODE:SIGNAL"; new jobs take the contents of next-state.
        let tools = [
            "sbatch": """
                echo sbatch >> \(dir)/calls
                if [ -f \(dir)/sbatch-error ]; then cat \(dir)/sbatch-error >&2; exit 1; fi
                n=$(( $(cat \(dir)/counter 2>/dev/null || echo 100) + 1 )); echo $n > \(dir)/counter
                cat > \(dir)/jobs/$n.sh
                cat \(dir)/next-state > \(dir)/jobs/$n
                echo "$@" > \(dir)/jobs/$n.args
                if [ -f \(dir)/sbatch-lost ]; then rm \(dir)/sbatch-lost; echo "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation" >&2; exit 1; fi
                echo $n
                """,
            "squeue": """
                for a in \(dir)/jobs/*.args; do
                  [ -f "$a" ] && echo "$(basename "$a" .args)|$(tr ' ' '\\n' < "$a" | sed -n 's/^--comment=//p')"
                done
                exit 0
                """,
            "scontrol": """
                id="$4"
                if [ -f \(dir)/unreachable ]; then echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1; fi
                if [ ! -f \(dir)/jobs/$id ]; then echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; fi
                read state exit < \(dir)/jobs/$id
                echo "JobId=$id JobName=hekaton JobState=$state Reason=None ExitCode=$exit NodeList=fake1"
                """,
            "scancel": """
                echo "scancel $1" >> \(dir)/calls
                echo "CANCELLED 0:15" > \(dir)/jobs/$1
                """,
            "sacct": "exit 1",
        ]
        for (name, body) in tools {
            let path = dir + "/bin/" + name
            try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        try next("RUNNING 0:0")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func next(_ state: String) throws { try state.write(toFile: root.path + "/next-state", atomically: true, encoding: .utf8) }
    func set(_ id: String, _ state: String) throws { try state.write(toFile: root.path + "/jobs/\(id)", atomically: true, encoding: .utf8) }
    func flag(_ name: String, _ text: String = "") throws { try text.write(toFile: root.path + "/" + name, atomically: true, encoding: .utf8) }
    func unflag(_ name: String) { try? FileManager.default.removeItem(atPath: root.path + "/" + name) }
    var calls: [String] {
        ((try? String(contentsOfFile: root.path + "/calls", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func executor() -> SlurmExecutor {
        var configuration = SlurmConfiguration(partition: "debug", binDirectory: bin)
        configuration.pollInterval = .milliseconds(20)
        configuration.maxPollInterval = .milliseconds(50)
        configuration.maxControllerBackoff = .milliseconds(100)
        configuration.cancelDeadline = .seconds(5)
        return SlurmExecutor(configuration: configuration)
    }
}

/// What the executor recorded through its context.
final class Recorded: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [(String, String?)] = []
    func add(_ id: String, _ executor: String?) { lock.withLock { ids.append((id, executor)) } }
    var all: [(String, String?)] { lock.withLock { ids } }
}

@Suite("Slurm executor (fake Slurm tools)", .serialized)
struct SlurmExecutorTests {
    let job = Job(id: 7, argv: ["/bin/echo", "hi"], notBefore: Date(), attempt: 1, createdAt: Date())

    func context(_ fake: FakeSlurm, stop: ExecutionStop = ExecutionStop(), externalID: String? = nil,
                 resources: ExecutionResources = ExecutionResources(), recorded: Recorded = Recorded()) -> ExecutionContext {
        ExecutionContext(logURL: fake.log, stop: stop, timeout: .seconds(90), externalID: externalID, resources: resources,
                         recordExternalID: { id, executor in recorded.add(id, executor) })
    }

    @Test("Submits with sbatch, records the Slurm id as the slurm executor's, and returns Slurm's exit code")
    func submitsAndFollows() async throws {
        let fake = try FakeSlurm()
        try fake.next("COMPLETED 3:0")
        let recorded = Recorded()
        let result = try await fake.executor().run(job, context: context(fake, resources: ExecutionResources(cpus: 2, memoryBytes: 1 << 30), recorded: recorded))
        #expect(result.termination == .exited(3))
        #expect(result.stoppedBy == nil)
        #expect(recorded.all.map(\.0) == ["101"])
        #expect(recorded.all.first?.1 == "slurm")
        let arguments = try String(contentsOfFile: fake.root.path + "/jobs/101.args", encoding: .utf8)
        #expect(arguments.contains("--time=2") && arguments.contains("--mem=1024M") && arguments.contains("--cpus-per-task=2"))
        #expect(arguments.contains("--partition=debug"))
        #expect(fake.logText.contains("submitted to Slurm as job 101 (--time=2 --mem=1024M --cpus-per-task=2 --partition=debug)"))
    }

    @Test("An sbatch refusal is a permanent error in Slurm's words")
    func refusal() async throws {
        let fake = try FakeSlurm()
        try fake.flag("sbatch-error", "sbatch: error: Batch job submission failed: Invalid partition name specified\n")
        await #expect {
            _ = try await fake.executor().run(job, context: context(fake))
        } throws: { error in
            guard let error = error as? ExecutionError else { return false }
            return error.code == .rejected && error.isPermanent && error.message.contains("Invalid partition name specified")
        }
    }

    @Test("Shutdown detaches: the Slurm job is left running, not cancelled")
    func shutdownDetaches() async throws {
        let fake = try FakeSlurm()
        let (stop, run) = try await startRunning(fake)
        stop.request(.shutdown)
        await #expect { _ = try await run.value } throws: { ($0 as? ExecutionError)?.code == .detached }
        #expect(!fake.calls.contains { $0.hasPrefix("scancel") })
    }

    @Test("Cancel scancels the job and returns once Slurm says it has ended")
    func cancel() async throws {
        let fake = try FakeSlurm()
        let (stop, run) = try await startRunning(fake)
        stop.request(.cancel)
        let result = try await run.value
        #expect(result.stoppedBy == .cancel)
        #expect(result.termination == .signalled(15))
        #expect(fake.calls.contains("scancel 101"))
    }

    @Test("Re-attaching follows the recorded id and submits nothing")
    func reattach() async throws {
        let fake = try FakeSlurm()
        try fake.set("55", "COMPLETED 0:0")
        let result = try await fake.executor().run(job, context: context(fake, externalID: "55"))
        #expect(result.succeeded)
        #expect(!fake.calls.contains("sbatch"))
        #expect(fake.logText.contains("re-attached to Slurm job 55"))
    }

    @Test("A job Slurm no longer knows fails the attempt as lost (retried), saying so")
    func lost() async throws {
        let fake = try FakeSlurm()
        await #expect {
            _ = try await fake.executor().run(job, context: context(fake, externalID: "999"))
        } throws: { error in
            guard let error = error as? ExecutionError else { return false }
            return error.code == .lost && !error.isPermanent && error.message.contains("no longer knows job 999")
        }
    }

    @Test("While the controller is unreachable the job keeps waiting, says so, and is followed once it answers")
    func unreachableController() async throws {
        let fake = try FakeSlurm()
        let executor = fake.executor()
        try fake.flag("unreachable")
        let context = context(fake)
        let run = Task { [job] in try await executor.run(job, context: context) }
        try await waitFor { executor.board.entry(for: 7)?.state == "UNREACHABLE" }
        #expect(executor.board.entry(for: 7)?.detail?.contains("Unable to contact slurm controller") == true)
        fake.unflag("unreachable")
        try fake.set("101", "COMPLETED 0:0")
        let result = try await run.value
        #expect(result.succeeded)
        #expect(fake.logText.contains("cannot reach the Slurm controller"))
        #expect(fake.logText.contains("the Slurm controller answers again"))
    }

    @Test("An sbatch whose answer was lost (a timeout) is not repeated when Slurm took the job after all")
    func lostSbatchAnswer() async throws {
        let fake = try FakeSlurm()
        try fake.next("COMPLETED 0:0")
        try fake.flag("sbatch-lost")
        let recorded = Recorded()
        let result = try await fake.executor().run(job, context: context(fake, recorded: recorded))
        #expect(result.succeeded)
        #expect(fake.calls.filter { $0 == "sbatch" }.count == 1, "\(fake.calls)")
        #expect(recorded.all.map(\.0) == ["101"])
    }

    @Test("Slurm's end states: an outside scancel is permanent, a node failure is retried, TIMEOUT is a timeout",
          arguments: [("CANCELLED 0:15", "rejected"), ("NODE_FAIL 0:0", "lost"), ("TIMEOUT 0:15", "timeout"), ("FAILED 0:9", "signal 9")])
    func endStates(state: String, expected: String) async throws {
        let fake = try FakeSlurm()
        try fake.next(state)
        do {
            let result = try await fake.executor().run(job, context: context(fake))
            switch expected {
            case "timeout": #expect(result.stoppedBy == .timeout)
            default: #expect(result.termination == .signalled(9))
            }
        } catch {
            #expect(error.code.rawValue == expected, "\(error)")
        }
    }

    /// An attempt started and seen running on the (fake) cluster, and how to stop it.
    func startRunning(_ fake: FakeSlurm) async throws -> (ExecutionStop, Task<ExecutionResult, any Error>) {
        let stop = ExecutionStop()
        let executor = fake.executor()
        let context = context(fake, stop: stop)
        let run = Task { [job] in try await executor.run(job, context: context) }
        try await waitFor { fake.logText.contains("RUNNING") }
        return (stop, run)
    }

    func waitFor(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
