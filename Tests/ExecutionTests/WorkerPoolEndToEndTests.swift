import Execution
import Foundation
import GRDB
import Scheduler
import Testing

/// The worker pool with real child processes on a WAL database file, as the daemon runs it.
@Suite("Worker pool with the local executor")
struct WorkerPoolEndToEndTests {
    let fixture: ExecutionFixture
    let queue: JobQueue
    let pool: WorkerPool

    init() throws {
        fixture = try ExecutionFixture()
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let database = try DatabasePool(path: fixture.path("hekaton.sqlite3"), configuration: configuration)
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        queue = JobQueue(writer: database)
        pool = WorkerPool(
            queue: queue, executor: LocalExecutor(configuration: LocalExecutorConfiguration(gracePeriod: .milliseconds(300))),
            configuration: WorkerPoolConfiguration(maxConcurrentJobs: 8, logDirectory: fixture.directory.appendingPathComponent("logs")))
    }

    /// Runs the pool while `body` runs, then shuts it down and waits for it to return.
    func whileRunning(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [pool] in try await pool.run() }
            try await body()
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    func allEnded(_ ids: [Int64]) throws -> Bool {
        try ids.allSatisfy { try queue.job($0)?.state.isFinal == true }
    }

    @Test("Every job runs once and ends succeeded, its output logged and its usage recorded")
    func jobsRunOnce() async throws {
        let ledger = fixture.path("ran.txt")
        try await whileRunning {
            let specs = (0..<40).map { _ in
                JobSpec(argv: ["/bin/sh", "-c", "echo $HEKATON_JOB_ID >> \(ledger); echo hello from $HEKATON_JOB_ID"])
            }
            let jobs = try queue.enqueueBatch(specs).map(\.job)
            pool.wake()
            let ended = try await ExecutionFixture.eventually { try allEnded(jobs.map(\.id)) }
            #expect(ended)
            #expect(try queue.countsByState() == [.succeeded: 40])
            let ran = (fixture.read("ran.txt") ?? "").split(separator: "\n").compactMap { Int64($0) }
            #expect(ran.sorted() == jobs.map(\.id).sorted(), "each job ran exactly once")
            for job in try queue.list(JobFilter(limit: 40)) {
                #expect(job.attempt == 1 && job.exitStatus == 0 && job.executor == "local")
                #expect(job.wallSeconds != nil && job.peakMemoryBytes.map { $0 > 0 } == true)
                let log = try #require(job.logPath)
                #expect(try String(contentsOfFile: log, encoding: .utf8) == "hello from \(job.id)\n")
            }
        }
    }

    @Test("A job past its time limit has its process group killed and is recorded as timed out")
    func timeout() async throws {
        let script = "sleep 100 & echo $! > \(fixture.path("grandchild.pid")); wait"
        try await whileRunning {
            let job = try queue.enqueue(JobSpec(argv: ["/bin/sh", "-c", script], timeoutSeconds: 0.5, maxAttempts: 1)).job
            pool.wake()
            let grandchild = try await fixture.pid(writtenTo: "grandchild.pid")
            let dead = try await ExecutionFixture.eventually { try queue.job(job.id)?.state == .dead }
            #expect(dead)
            let ended = try #require(try queue.job(job.id))
            #expect(ended.error?.hasPrefix("ran past its time limit of 0.5 s and was killed by signal") == true, "\(ended.error ?? "")")
            #expect(try await ExecutionFixture.eventually { ExecutionFixture.isGone(grandchild) })
        }
    }

    @Test("Cancelling a running job kills it and records it cancelled")
    func cancel() async throws {
        try await whileRunning {
            let job = try queue.enqueue(JobSpec(argv: ["/bin/sh", "-c", "echo $$ > \(fixture.path("child.pid")); exec sleep 100"])).job
            pool.wake()
            let child = try await fixture.pid(writtenTo: "child.pid")
            try queue.cancel(job.id)
            pool.wake()
            let cancelled = try await ExecutionFixture.eventually { try queue.job(job.id)?.state == .cancelled }
            #expect(cancelled)
            #expect(try await ExecutionFixture.eventually { ExecutionFixture.isGone(child) })
        }
    }

    @Test("A missing executable ends the job dead at once with an error that names it")
    func missingExecutable() async throws {
        try await whileRunning {
            let job = try queue.enqueue(JobSpec(argv: ["hekaton-no-such-tool", "--help"], maxAttempts: 3)).job
            pool.wake()
            let dead = try await ExecutionFixture.eventually { try queue.job(job.id)?.state == .dead }
            #expect(dead)
            #expect(try queue.job(job.id)?.error?.hasPrefix("the executable 'hekaton-no-such-tool' was not found in PATH") == true)
        }
    }

    @Test("Jobs the previous daemon left running are rescued at start and run to the end")
    func rescueAtStart() async throws {
        let jobs = try (0..<3).map { _ in try queue.enqueue(JobSpec(argv: ["/bin/true"])).job }
        _ = try queue.claim(ClaimRequest(owner: "pid-1-killed", leaseDuration: 60, limit: 3))
        try await whileRunning {
            let ended = try await ExecutionFixture.eventually { try allEnded(jobs.map(\.id)) }
            #expect(ended)
        }
        #expect(try jobs.allSatisfy { try queue.job($0.id)?.state == .succeeded && queue.job($0.id)?.attempt == 2 })
    }
}
