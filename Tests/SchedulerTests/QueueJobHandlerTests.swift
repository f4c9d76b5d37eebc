import Foundation
import GRDB
import Scheduler
import Synchronization
import Testing

/// Jobs with kinds: each runs on its kind's handler, and what the handler's run made reaches
/// its record, typed, inside the completion's transaction.
@Suite("Queue: job handlers")
struct QueueJobHandlerTests {
    /// A handler whose run "makes" the word in the job's first argument (and fails on `fail`),
    /// and whose record writes what it was given into a table.
    struct Echo: JobHandler {
        var kind: JobKind { JobKind(rawValue: "echo") }

        func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<String> {
            let failed = job.argv[0] == "fail"
            return HandledAttempt(ExecutionResult(termination: .exited(failed ? 1 : 0)), output: "made \(job.argv[0])")
        }

        func record(_ db: Database, _ completion: JobCompletion, job: Job, output: String?) throws {
            try db.execute(sql: "INSERT INTO echo VALUES (?, ?, ?)", arguments: [job.id, completion.state, output])
        }
    }

    let fixture: QueueFixture
    let probe = PoolProbe()
    init() throws { fixture = try QueueFixture() }

    @Test("A job runs on its kind's handler and its record gets the handler's output; a plain command runs as it is")
    func typedOutput() async throws {
        try await fixture.database.write { try $0.execute(sql: "CREATE TABLE echo (job_id INTEGER, state TEXT, output TEXT)") }
        let handlers = JobHandlers(commands: QueueScriptedExecutor(), handlers: [Echo()])
        let pool = WorkerPool(
            queue: fixture.queue, executor: handlers,
            configuration: WorkerPoolConfiguration(owner: "pool-test", maxConcurrentJobs: 2, logDirectory: URL(fileURLWithPath: "/tmp/hekaton-test")),
            recordOutputs: { db, completion in try handlers.record(db, completion) }, didFinish: probe.didFinish)
        let echo = JobKind(rawValue: "echo")
        let jobs = try [
            fixture.queue.enqueue(JobSpec(kind: echo, argv: ["hello"])).job,
            fixture.queue.enqueue(JobSpec(kind: echo, argv: ["fail"], maxAttempts: 1)).job,
            fixture.queue.enqueue(JobSpec(argv: ["ok"])).job,
        ]
        #expect(jobs.map(\.kind) == [echo, echo, .command])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            // One attempt each: the failing one may not retry (maxAttempts 1).
            let finished = try await PoolProbe.next(jobs.count, of: probe.completions)
            #expect(Set(finished.map(\.jobID)) == Set(jobs.map(\.id)))
            group.cancelAll()
            try await group.waitForAll()
        }
        let recorded = try await fixture.database.read { db in
            try String.fetchAll(db, sql: "SELECT job_id || ' ' || state || ': ' || COALESCE(output, '-') FROM echo ORDER BY job_id")
        }
        #expect(recorded == ["\(jobs[0].id) succeeded: made hello", "\(jobs[1].id) dead: made fail"],
                "a failed run's output reaches its record too; the plain command has no handler to record it")
        #expect(try fixture.state(jobs[2].id) == .succeeded)
        #expect(try fixture.queue.job(jobs[0].id)?.kind == echo, "the kind is stored")
    }

    @Test("A kind without a handler is refused, never run as something else")
    func unknownKind() async throws {
        let handlers = JobHandlers(commands: QueueScriptedExecutor(), handlers: [Echo()])
        let job = Job(id: 1, kind: JobKind(rawValue: "image-build"), argv: ["ok"], notBefore: Date(), createdAt: Date())
        do {
            _ = try await handlers.run(job, context: ExecutionContext(logURL: URL(fileURLWithPath: "/dev/null")))
            Issue.record("a job of a kind without a handler ran")
        } catch {
            #expect(error.code == .refused)
            #expect(error.isPermanent)
            #expect(error.message.contains("'image-build'"))
        }
    }
}
