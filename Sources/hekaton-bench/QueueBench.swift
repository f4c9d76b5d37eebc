import ArgumentParser
import Execution
import Foundation
import GRDB
import Scheduler

extension HekatonBench {
    /// The job queue's throughput and dispatch latency, on a WAL database file in a
    /// temporary directory, as the daemon opens it.
    struct QueueBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "queue",
            abstract: "Enqueue rates, burn-down of no-op jobs, and latency from enqueue to a running child.")

        @Option(help: "No-op jobs to enqueue and drain.")
        var jobs = 100_000

        @Option(help: "Jobs enqueued one transaction each, for the single-enqueue rate.")
        var singleEnqueues = 5_000

        @Option(help: "Jobs per transaction for the batched enqueue rate.")
        var batch = 1_000

        @Option(help: "Jobs the worker pool runs at once during burn-down.")
        var concurrency = 1_000

        @Option(help: "Jobs claimed per transaction at most.")
        var claimBatch = 500

        @Option(help: "Dispatch latency samples, each a real child process.")
        var samples = 300

        @Option(help: "Jobs of the fair-share burn-down, beside as many without shares.")
        var sharedJobs = 20_000

        @Option(help: "Shares (participants) the fair-share burn-down's jobs are spread over.")
        var shares = 50

        func validate() throws {
            guard jobs > 0, singleEnqueues > 0, batch > 0, concurrency > 0, claimBatch > 0, samples > 0, sharedJobs > 0, shares > 0 else {
                throw ValidationError("every count must be positive")
            }
        }

        func run() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hekaton-queue-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let singles = try Self.openQueue(directory.appendingPathComponent("single.sqlite3"))
            let version = try await singles.writer.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?" }
            print("queue: SQLite \(version), WAL mode, synchronous=NORMAL (survives a killed process, not a power cut); every claim and completion committed")

            let singleSeconds = try Self.seconds {
                for _ in 0..<singleEnqueues { _ = try singles.enqueue(Self.noOp) }
            }
            print("queue: enqueue, one job per transaction: \(Self.rate(singleEnqueues, singleSeconds)) jobs/s (\(singleEnqueues) jobs)")

            let queue = try Self.openQueue(directory.appendingPathComponent("burn-down.sqlite3"))
            let batchSeconds = try Self.seconds {
                var remaining = jobs
                while remaining > 0 {
                    let count = min(batch, remaining)
                    _ = try queue.enqueueBatch(Array(repeating: Self.noOp, count: count))
                    remaining -= count
                }
            }
            print("queue: enqueue, \(batch) jobs per transaction: \(Self.rate(jobs, batchSeconds)) jobs/s (\(jobs) jobs)")

            let burnDown = try await drain(queue, directory: directory)
            print("queue: burn-down of \(jobs) no-op jobs: \(Self.rate(jobs, burnDown)) jobs/s (\(String(format: "%.2f", burnDown)) s, \(concurrency) at once, claims of up to \(claimBatch))")

            // Fair sharing orders each claim by share (a window over the queue's ready jobs);
            // the same count without shares walks the claim index.
            var fairness: [String] = []
            for shared in [false, true] {
                let fair = try Self.openQueue(directory.appendingPathComponent("fair-\(shared).sqlite3"))
                var remaining = sharedJobs, next = 0
                while remaining > 0 {
                    let count = min(batch, remaining)
                    _ = try fair.enqueueBatch((0..<count).map { index in
                        JobSpec(argv: ["/bin/true"], shareKey: shared ? "participant:p\((next + index) % shares)" : nil)
                    })
                    next += count
                    remaining -= count
                }
                let seconds = try await drain(fair, directory: directory, count: sharedJobs)
                fairness.append("\(Self.rate(sharedJobs, seconds)) jobs/s (\(String(format: "%.2f", seconds)) s)")
            }
            print("queue: burn-down of \(sharedJobs) jobs, \(concurrency) at once: without shares \(fairness[0]); over \(shares) shares \(fairness[1])")

            let latencies = try await dispatchLatencies(directory: directory)
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> String {
                String(format: "%.2f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
            }
            print("queue: enqueue commit to child running (local executor, /bin/date stamps its start): p50 \(percentile(0.5)), p99 \(percentile(0.99)), max \(percentile(1)) (\(samples) samples)")
        }

        static let noOp = JobSpec(argv: ["/bin/true"])

        /// Runs the pool over the enqueued jobs with an executor that does nothing, until all
        /// have been recorded succeeded. Returns the seconds that took.
        func drain(_ queue: JobQueue, directory: URL, count: Int? = nil) async throws -> Double {
            let jobs = count ?? jobs
            let (finished, recorded) = AsyncStream<Int>.makeStream()
            let pool = WorkerPool(
                queue: queue, executor: NoOpExecutor(),
                configuration: WorkerPoolConfiguration(
                    maxConcurrentJobs: concurrency, claimBatchSize: claimBatch, logDirectory: directory),
                didFinish: { completions in recorded.yield(completions.count) })
            let clock = ContinuousClock()
            let began = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                var done = 0
                for await count in finished {
                    done += count
                    if done >= jobs { break }
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            let elapsed = began.duration(to: clock.now)
            let counts = try queue.countsByState()
            guard counts == [.succeeded: jobs] else {
                throw ValidationError("burn-down ended with \(counts), not \(jobs) succeeded jobs")
            }
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }

        /// One job at a time: enqueue, wake the pool, and read the instant the child wrote.
        func dispatchLatencies(directory: URL) async throws -> [Double] {
            let queue = try Self.openQueue(directory.appendingPathComponent("latency.sqlite3"))
            let (finished, recorded) = AsyncStream<[JobCompletion]>.makeStream()
            let pool = WorkerPool(
                queue: queue, executor: LocalExecutor(),
                configuration: WorkerPoolConfiguration(maxConcurrentJobs: 4, logDirectory: directory.appendingPathComponent("logs")),
                didFinish: { recorded.yield($0) })
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                var completions = finished.makeAsyncIterator()
                var latencies: [Double] = []
                for _ in 0..<samples {
                    let job = try queue.enqueue(JobSpec(argv: ["/bin/date", "+%s.%N"])).job
                    let committed = Date().timeIntervalSince1970
                    pool.wake()
                    while let batch = await completions.next(), !batch.contains(where: { $0.jobID == job.id }) {}
                    let log = try String(contentsOfFile: try queue.job(job.id)?.logPath ?? "", encoding: .utf8)
                    guard let started = Double(log.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                        throw ValidationError("job \(job.id) wrote '\(log)', not an instant")
                    }
                    latencies.append(started - committed)
                }
                group.cancelAll()
                try await group.waitForAll()
                return latencies
            }
        }

        static func openQueue(_ file: URL) throws -> JobQueue {
            // As the daemon opens its database: WAL, synchronous=NORMAL.
            var configuration = Configuration()
            configuration.journalMode = .wal
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            let database = try DatabasePool(path: file.path, configuration: configuration)
            var migrator = DatabaseMigrator()
            SchedulerSchema.registerMigrations(in: &migrator)
            try migrator.migrate(database)
            return JobQueue(writer: database)
        }

        static func seconds(_ work: () throws -> Void) throws -> Double {
            let clock = ContinuousClock()
            let began = clock.now
            try work()
            let elapsed = began.duration(to: clock.now)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }

        static func rate(_ count: Int, _ seconds: Double) -> Int {
            Int(Double(count) / seconds)
        }

        /// Succeeds at once: what is measured is the queue, not the work.
        struct NoOpExecutor: Executor {
            let name = "no-op"

            func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
                ExecutionResult(termination: .exited(0))
            }
        }
    }
}
