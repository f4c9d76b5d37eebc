import Foundation
import GRDB
import Scheduler
import Testing

@Suite("Queue: enqueue and unique keys")
struct QueueEnqueueTests {
    let fixture: QueueFixture
    init() throws { fixture = try QueueFixture() }

    @Test("An enqueued job is a committed, queued row with what was asked for")
    func enqueueRecordsTheSpec() throws {
        let spec = JobSpec(
            argv: ["/usr/bin/env", "a b"], environment: ["SEED": "7"], workingDirectory: "/tmp", queue: "train", priority: 5,
            timeoutSeconds: 30, maxAttempts: 2, labels: ["competition": "movies"], scheduleName: "nightly")
        let enqueued = try fixture.queue.enqueue(spec)
        #expect(!enqueued.isExisting)
        let job = enqueued.job
        #expect(job.state == .queued)
        #expect(job.argv == ["/usr/bin/env", "a b"])
        #expect(job.environment == ["SEED": "7"])
        #expect(job.workingDirectory == "/tmp")
        #expect(job.queue == "train" && job.priority == 5 && job.timeoutSeconds == 30 && job.maxAttempts == 2)
        #expect(job.labels == ["competition": "movies"] && job.scheduleName == "nightly")
        #expect(job.attempt == 0 && job.createdAt == QueueFixture.start && job.notBefore == QueueFixture.start)
        #expect(try fixture.queue.job(job.id) == job, "what enqueue returns is what is stored")
    }

    @Test("Enqueueing a key that a waiting, queued, running or failed job holds returns that job")
    func uniqueKeyWhileLive() throws {
        let first = try fixture.enqueue(uniqueKey: "train:movies:v3", after: [])
        let again = try fixture.queue.enqueue(JobSpec(argv: ["/bin/false"], uniqueKey: "train:movies:v3"))
        #expect(again.isExisting && again.job.id == first.id)

        let lease = try fixture.claimOnly(first.id)
        #expect(try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], uniqueKey: "train:movies:v3")).job.id == first.id,
                "running still holds the key")
        #expect(try fixture.exit(lease, status: 1) == .failed)
        #expect(try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], uniqueKey: "train:movies:v3")).job.id == first.id,
                "a pending retry still holds the key")
        #expect(try fixture.jobCount() == 1)
    }

    @Test("Once the job with a key ended, the key is free again", arguments: [0, 1])
    func uniqueKeyAfterEnd(exitStatus: Int32) throws {
        let first = try fixture.enqueue(maxAttempts: 1, uniqueKey: "k")
        try fixture.exit(try fixture.claimOnly(first.id), status: exitStatus)
        let second = try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], uniqueKey: "k"))
        #expect(!second.isExisting && second.job.id != first.id)
    }

    @Test("A batch with the same key twice adds one job")
    func uniqueKeyInBatch() throws {
        let results = try fixture.queue.enqueueBatch([
            JobSpec(argv: ["/bin/true"], uniqueKey: "same"), JobSpec(argv: ["/bin/true"], uniqueKey: "same"),
            JobSpec(argv: ["/bin/true"]),
        ])
        #expect(results.map(\.isExisting) == [false, true, false])
        #expect(results[0].job.id == results[1].job.id)
        #expect(try fixture.jobCount() == 2)
    }

    static let invalidSpecs: [(JobSpec, JobQueueError.Code, String)] = [
        (JobSpec(argv: []), .emptyCommand, "no command"),
        (JobSpec(argv: [""]), .emptyCommand, "program name is empty"),
        (JobSpec(argv: ["/bin/true"], maxAttempts: 0), .invalidSpec, "from 1 to 100"),
        (JobSpec(argv: ["/bin/true"], maxAttempts: Int.max), .invalidSpec, "from 1 to 100"),
        (JobSpec(argv: ["/bin/true"], timeoutSeconds: 0), .invalidSpec, "above 0"),
        // A Duration of 1e308 seconds traps: this once crashed the daemon when the job started.
        (JobSpec(argv: ["/bin/true"], timeoutSeconds: 1e308), .invalidSpec, "at most 2592000"),
        (JobSpec(argv: ["/bin/true"], timeoutSeconds: .nan), .invalidSpec, "above 0"),
        (JobSpec(argv: ["/bin/true"], timeoutSeconds: .infinity), .invalidSpec, "at most"),
        (JobSpec(argv: ["/bin/true"], queue: ""), .invalidSpec, "queue name is empty"),
        (JobSpec(argv: ["/bin/true"], queue: String(repeating: "q", count: 20_000)), .invalidSpec, "is not valid"),
        (JobSpec(argv: ["/bin/true"], workingDirectory: ""), .invalidSpec, "not absolute"),
        (JobSpec(argv: ["/bin/true"], workingDirectory: "/" + String(repeating: "d", count: 20_000)), .invalidSpec, "bytes long"),
        (JobSpec(argv: ["/bin/true"], uniqueKey: ""), .invalidSpec, "unique key is empty"),
        (JobSpec(argv: ["/bin/true"], uniqueKey: String(repeating: "k", count: 20_000)), .invalidSpec, "the limit is 512"),
        (JobSpec(argv: ["/bin/true"], priority: Int.max), .invalidSpec, "priority"),
        (JobSpec(argv: ["/bin/echo", "a\u{0}b"]), .invalidSpec, "NUL"),
        (JobSpec(argv: ["/bin/true"], environment: ["1BAD": "x"]), .invalidSpec, "not valid"),
        (JobSpec(argv: ["/bin/true"], labels: Dictionary(uniqueKeysWithValues: (0..<65).map { ("l\($0)", "v") })), .invalidSpec, "limit is 64"),
    ]

    @Test("Bad specs are refused with a clear error and change nothing", arguments: invalidSpecs)
    func invalidSpec(spec: JobSpec, code: JobQueueError.Code, phrase: String) throws {
        let error = try #require(throws: JobQueueError.self) { try fixture.queue.enqueue(spec) }
        #expect(error.code == code)
        #expect(error.message.contains(phrase), "\(error.message)")
        #expect(try fixture.jobCount() == 0)
    }

    @Test("A refused job in a batch leaves none of the batch")
    func batchIsAtomic() throws {
        #expect(throws: JobQueueError.self) {
            try fixture.queue.enqueueBatch([JobSpec(argv: ["/bin/true"]), JobSpec(argv: [])])
        }
        #expect(try fixture.jobCount() == 0)
    }

    @Test("Lists filter by state, queue and label, newest first; counts group by state")
    func listAndCount() throws {
        let a = try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], queue: "train", labels: ["kind": "train"])).job
        let b = try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], queue: "score", labels: ["kind": "score"])).job
        let c = try fixture.queue.enqueue(JobSpec(argv: ["/bin/true"], queue: "train", dependencies: [a.id])).job
        #expect(try fixture.queue.list().map(\.id) == [c.id, b.id, a.id])
        #expect(try fixture.queue.list(JobFilter(queue: "train")).map(\.id) == [c.id, a.id])
        #expect(try fixture.queue.list(JobFilter(states: [.waiting])).map(\.id) == [c.id])
        #expect(try fixture.queue.list(JobFilter(labels: ["kind": "score"])).map(\.id) == [b.id])
        #expect(try fixture.queue.list(JobFilter(beforeID: c.id, limit: 1)).map(\.id) == [b.id])
        #expect(try fixture.queue.countsByState() == [.queued: 2, .waiting: 1])
        #expect(try fixture.queue.dependencies(of: c.id) == [a.id])
        #expect(try fixture.queue.dependants(of: a.id) == [c.id])
    }
}
