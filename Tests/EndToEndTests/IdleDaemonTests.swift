import ControlAPI
import Foundation
import Testing

@Suite("An idle hekatond")
struct IdleDaemonTests {
    @Test("Once its work is done it wakes up for nothing: no Dispatch work-queue monitor, no timer while nothing is due")
    func noWakeUps() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        // Work that goes through the global executor, the thread pool, a child process, the
        // timers of a job's kill grace and a log poll: a job run to its end, then its log.
        let job = try daemon.client.call("POST", "/v1/jobs", body: JobSubmitRequest(argv: ["/bin/echo", "idle"]), as: JobInfo.self)
        try waitUntil("job \(job.id) to succeed") {
            try daemon.client.call("GET", "/v1/jobs/\(job.id)", as: JobInfo.self).state == "succeeded"
        }
        _ = try daemon.client.raw("GET", "/v1/jobs/\(job.id)/logs")
        _ = try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
        // Nothing is due now. What the work leaves behind settles within seconds (Dispatch's
        // idle overcommit threads exit after 5 s); libdispatch's monitor, had it started, would
        // wake the daemon once a second for the rest of its life, and no window would be quiet.
        var last = ""
        do {
            try waitUntil("two seconds in which hekatond does not wake up", timeout: .seconds(30), poll: .zero) {
                let before = try Self.contextSwitches(daemon.pid)
                Thread.sleep(forTimeInterval: 2)
                let after = try Self.contextSwitches(daemon.pid)
                last = Self.difference(before, after)
                return after.total == before.total
            }
        } catch {
            Issue.record("hekatond kept waking up; the last two seconds, by thread: \(last)")
            throw error
        }
        let after = try Self.contextSwitches(daemon.pid)
        // Dispatch names a worker of its global queues after the queue (`com.apple.root.default-qos`,
        // the last 15 characters kept); its overcommit threads, which serial queues use, end in `.overcommit`.
        #expect(!after.threads.keys.contains { $0.split(separator: " ").first?.hasSuffix("-qos") == true },
                "a Dispatch global-queue worker ran: \(after.threads.keys.sorted())")
    }

    struct Switches {
        /// Voluntary and involuntary switches by thread, named `comm (tid)`.
        var threads: [String: Int]
        var total: Int { threads.values.reduce(0, +) }
    }

    static func contextSwitches(_ pid: Int32) throws -> Switches {
        var threads: [String: Int] = [:]
        for tid in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
            let directory = "/proc/\(pid)/task/\(tid)"
            guard let status = try? String(decoding: FileHandle(forReadingFrom: URL(fileURLWithPath: directory + "/status")).readToEnd() ?? Data(), as: UTF8.self),
                  let name = try? String(decoding: FileHandle(forReadingFrom: URL(fileURLWithPath: directory + "/comm")).readToEnd() ?? Data(), as: UTF8.self)
            else { continue }
            let switches = status.split(separator: "\n").filter { $0.contains("ctxt_switches") }
                .compactMap { $0.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            threads["\(name.trimmingCharacters(in: .whitespacesAndNewlines)) (\(tid))"] = switches.reduce(0, +)
        }
        return Switches(threads: threads)
    }

    static func difference(_ before: Switches, _ after: Switches) -> String {
        after.threads.keys.sorted().map { "\($0): \(after.threads[$0]! - (before.threads[$0] ?? 0))" }.joined(separator: ", ")
    }
}
