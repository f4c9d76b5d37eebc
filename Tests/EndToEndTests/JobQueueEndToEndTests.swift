import ControlAPI
import ControlClient
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("The job queue through hekatonctl and the real daemon")
struct JobQueueEndToEndTests {
    func job(_ id: Int64, _ daemon: DaemonUnderTest) throws -> JobInfo {
        try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
    }

    func submit(_ arguments: [String], _ daemon: DaemonUnderTest) throws -> JobInfo {
        let result = try hekatonctl(["job", "submit", "--json"] + arguments, socket: daemon.socketPath)
        try #require(result.status == 0, "job submit failed: \(result.stderr)")
        return try JSONDecoder().decode(JobInfo.self, from: Data(result.stdout.utf8))
    }

    func waitForState(_ id: Int64, _ states: Set<String>, _ daemon: DaemonUnderTest) throws -> JobInfo {
        var last: JobInfo?
        try waitUntil("job \(id) to reach \(states) (last: \(last?.state ?? "-"))") {
            last = try job(id, daemon)
            return states.contains(last!.state)
        }
        return last!
    }

    @Test("A job runs, its output is captured, its exit status and resource usage recorded")
    func runAndLogs() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let submitted = try submit(["--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"], daemon)
        let ended = try waitForState(submitted.id, ["failed", "dead"], daemon)
        #expect(ended.exitStatus == 3)
        #expect(ended.wallSeconds != nil)
        #expect(ended.executor == "local")
        let logs = try hekatonctl(["job", "logs", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(logs.stdout.contains("out"))
        #expect(logs.stdout.contains("err"))
        let show = try hekatonctl(["job", "show", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(show.stdout.contains("exit status  3"), "\(show.stdout)")
    }

    @Test("logs --follow streams until the job ends")
    func follow() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let submitted = try submit(["--", "/bin/sh", "-c", "echo first; sleep 1; echo second"], daemon)
        let logs = try hekatonctl(["job", "logs", "\(submitted.id)", "--follow"], socket: daemon.socketPath)
        #expect(logs.status == 0)
        #expect(logs.stdout == "first\nsecond\n")
        #expect(try job(submitted.id, daemon).state == "succeeded")
    }

    @Test("Unique keys return the pending job; dependencies wait; a failed dependency fails its dependants")
    func keysAndDependencies() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let first = try submit(["--unique-key", "nightly", "--", "/bin/sleep", "1"], daemon)
        let again = try submit(["--unique-key", "nightly", "--", "/bin/sleep", "1"], daemon)
        #expect(again.id == first.id)
        #expect(again.existing == true)
        let after = try submit(["--after", "\(first.id)", "--", "/bin/true"], daemon)
        #expect(after.state == "waiting")
        #expect(try waitForState(after.id, ["succeeded"], daemon).dependsOn == [first.id])

        let failing = try submit(["--max-attempts", "1", "--", "/bin/false"], daemon)
        let downstream = try submit(["--after", "\(failing.id)", "--", "/bin/true"], daemon)
        #expect(try waitForState(failing.id, ["dead"], daemon).exitStatus == 1)
        #expect(try waitForState(downstream.id, ["upstream-failed"], daemon).startedAt == nil)
    }

    @Test("Cancel ends the whole process group; retry runs it again")
    func cancelAndRetry() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let marker = daemon.root.appendingPathComponent("grandchild.pid").path
        let submitted = try submit(["--", "/bin/sh", "-c", "sleep 300 & echo $! > \(marker); wait"], daemon)
        try waitUntil("the grandchild to start") { FileManager.default.fileExists(atPath: marker) }
        let grandchild = try #require(Int32((try String(contentsOfFile: marker, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        let cancel = try hekatonctl(["job", "cancel", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(try waitForState(submitted.id, ["cancelled"], daemon).state == "cancelled")
        try waitUntil("the grandchild to be gone") { kill(grandchild, 0) != 0 }

        let retry = try hekatonctl(["job", "retry", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(try job(submitted.id, daemon).state != "cancelled")
        _ = try hekatonctl(["job", "cancel", "\(submitted.id)"], socket: daemon.socketPath)
        _ = try waitForState(submitted.id, ["cancelled"], daemon)
        let again = try hekatonctl(["job", "cancel", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already ended"))
    }

    @Test("A timeout ends the job and its children")
    func timeout() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let submitted = try submit(["--timeout", "1s", "--max-attempts", "1", "--", "/bin/sleep", "300"], daemon)
        let ended = try waitForState(submitted.id, ["dead"], daemon)
        #expect(ended.signal != nil || ended.error?.contains("timed out") == true, "\(ended)")
    }

    @Test("Finished jobs and their logs are pruned after the configured retention")
    func prune() throws {
        let daemon = try DaemonUnderTest(configuration: "job_retention: 2s\n")
        defer { daemon.stop() }
        let submitted = try submit(["--", "/bin/echo", "soon gone"], daemon)
        let ended = try waitForState(submitted.id, ["succeeded"], daemon)
        #expect(ended.finishedAt != nil)
        let log = daemon.stateDirectory + "/logs/job-\(submitted.id).log"
        #expect(FileManager.default.fileExists(atPath: log))
        try waitUntil("the job to be pruned", timeout: .seconds(30)) {
            try daemon.client.call("GET", "/v1/jobs", as: JobList.self).jobs.isEmpty
        }
        #expect(!FileManager.default.fileExists(atPath: log), "its log is deleted with it")
        let show = try hekatonctl(["job", "show", "\(submitted.id)"], socket: daemon.socketPath)
        #expect(show.status == 1)
        #expect(show.stderr.contains("no job \(submitted.id)"))
    }

    @Test("Bad jobs are refused with a clear error and change nothing")
    func badInput() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let empty = try hekatonctl(["job", "submit"], socket: daemon.socketPath)
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("give the command after --"))
        let unknown = try hekatonctl(["job", "submit", "--after", "999", "--", "/bin/true"], socket: daemon.socketPath)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("999"), "\(unknown.stderr)")
        let (selfHead, selfBody) = try daemon.client.raw("POST", "/v1/jobs",
            body: Array(#"{"argv": ["/bin/true"], "after": [1]}"#.utf8))
        #expect(selfHead.status == 400, "\(String(decoding: selfBody, as: UTF8.self))")
        let (emptyHead, _) = try daemon.client.raw("POST", "/v1/jobs", body: Array(#"{"argv": []}"#.utf8))
        #expect(emptyHead.status == 400)
        let list = try daemon.client.call("GET", "/v1/jobs", as: JobList.self)
        #expect(list.jobs.isEmpty, "nothing was enqueued: \(list.jobs.map(\.id))")
    }

    @Test("Killed with kill -9 again and again, the daemon loses no job and finishes none twice")
    func crashes() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let marks = root.appendingPathComponent("marks").path
        var daemon = try DaemonUnderTest(root: root)
        let total = 40
        var ids: [Int64] = []
        for index in 0..<total {
            let job = try submit(["--max-attempts", "10", "--unique-key", "crash-\(index)", "--",
                                  "/bin/sh", "-c", "sleep 0.$((RANDOM % 3)); echo \(index) >> \(marks)"], daemon)
            ids.append(job.id)
        }
        for _ in 0..<6 {
            try waitUntil("some job to run") {
                try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).jobs["running", default: 0] > 0
                    || (try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).jobs["succeeded", default: 0] == total)
            }
            daemon.signal(SIGKILL)
            _ = try daemon.waitForExit()
            try? FileManager.default.removeItem(atPath: daemon.notify.path)
            daemon = try DaemonUnderTest(root: root)
        }
        defer { daemon.stop() }
        try waitUntil("every job to end", timeout: .seconds(120)) {
            let status = try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
            return status.jobs.filter { ["succeeded", "dead", "cancelled", "upstream-failed"].contains($0.key) }.values.reduce(0, +) == total
        }
        let jobs = try daemon.client.call("GET", "/v1/jobs?limit=1000", as: JobList.self).jobs
        #expect(jobs.count == total, "no job lost and none duplicated")
        #expect(Set(jobs.map(\.id)) == Set(ids))
        #expect(jobs.allSatisfy { $0.state == "succeeded" }, "\(jobs.filter { $0.state != "succeeded" }.map { "\($0.id): \($0.state)" })")
        // Every job ran to the end at least once; a job whose run was cut by the crash may
        // have written its mark before the kill, which is at-least-once execution.
        let written = Set((try String(contentsOfFile: marks, encoding: .utf8)).split(separator: "\n").compactMap { Int($0) })
        #expect(written == Set(0..<total))
    }
}
