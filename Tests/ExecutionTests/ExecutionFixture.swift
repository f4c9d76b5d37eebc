import Foundation
import GRDB
import Scheduler
import Testing

/// A temporary directory, removed with the fixture, and jobs as the queue hands them to
/// executors.
final class ExecutionFixture: Sendable {
    let directory: URL
    let queue: JobQueue

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hekaton-execution-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        queue = JobQueue(writer: database)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A claimed, running job with this command.
    func job(_ argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil) throws -> Job {
        let enqueued = try queue.enqueue(JobSpec(argv: argv, environment: environment, workingDirectory: workingDirectory)).job
        let claimed = try queue.claim(ClaimRequest(owner: "test", leaseDuration: 60, limit: 1))
        try #require(claimed.map(\.id) == [enqueued.id])
        return claimed[0]
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// The pid a test command wrote to `name`, once it has.
    func pid(writtenTo name: String) async throws -> pid_t {
        var pid: pid_t?
        let written = try await Self.eventually {
            pid = read(name).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        try #require(written, "the command never wrote \(name)")
        return pid!
    }

    /// Waits until `condition` holds, checking every few milliseconds, for at most `seconds`.
    /// Tests wait on outcomes, never on durations.
    static func eventually(within seconds: Double = 20, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try condition()
    }

    /// Whether the process is gone: no such process, or a zombie that nothing reaps (PID 1
    /// in some containers never does), which runs nothing.
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) == -1 && errno == ESRCH { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state == "Z" || state == "X"
    }
}
