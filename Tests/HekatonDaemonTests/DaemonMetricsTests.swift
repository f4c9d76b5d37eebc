import ControlAPI
import Foundation
import GRDB
@testable import HekatonDaemon
import Pipeline
import Scheduler
import Testing

/// The metrics as a scraper reads them: counted by stage, route pattern and outcome, never by
/// an id; the database's figures brought up to date at each scrape, once each.
@Suite("Daemon metrics")
struct DaemonMetricsTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")

    func open() throws -> (DatabasePool, DaemonMetrics) {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let database = try DaemonDatabase.open(stateDirectory: root.path)
        return (database, DaemonMetrics(database: database, startedAt: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    func scrape(_ metrics: DaemonMetrics) async throws -> String {
        String(decoding: try await metrics.exposition(), as: UTF8.self)
    }

    func completion(_ id: Int64, stage: String? = nil, kind: JobKind = .stage, _ result: ExecutionResult) -> JobCompletion {
        JobCompletion(lease: Lease(jobID: id, owner: "w", attempt: 1), state: result.succeeded ? .succeeded : .failed,
                      outcome: .ran(result), kind: kind, labels: stage.map { [Stage.label: $0, Stage.submissionLabel: "\(id)"] } ?? [:])
    }

    @Test("Attempts count by stage and result, durations by stage, limits by kind; unknown kinds as other")
    func attempts() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, metrics) = try open()
        var oom = ExecutionResult(termination: .signalled(9), wallSeconds: 40)
        oom.limitsHit = [.memory]
        var forks = ExecutionResult(termination: .exited(1), wallSeconds: 2)
        forks.limitsHit = [.processes]
        metrics.jobsFinished([
            completion(101, stage: "train", ExecutionResult(termination: .exited(0), wallSeconds: 12.5)),
            completion(102, stage: "train", oom),
            completion(103, stage: "predict", ExecutionResult(termination: .signalled(15), wallSeconds: 3600, stoppedBy: .timeout)),
            completion(104, stage: "score", forks),
            completion(105, kind: JobKind(rawValue: "mystery-4711"), ExecutionResult(termination: .exited(0), wallSeconds: 1)),
            JobCompletion(lease: Lease(jobID: 106, owner: "w", attempt: 1), state: .dead,
                          outcome: .couldNotRun(ExecutionError(.lost, "gone")), kind: .ingest),
        ])
        let text = try await scrape(metrics)
        for line in [
            #"hekaton_job_attempts_total{stage="train",result="succeeded"} 1"#,
            #"hekaton_job_attempts_total{stage="train",result="failed"} 1"#,
            #"hekaton_job_attempts_total{stage="predict",result="timed-out"} 1"#,
            #"hekaton_job_attempts_total{stage="other",result="succeeded"} 1"#,
            #"hekaton_job_attempts_total{stage="ingest",result="lost"} 1"#,
            #"hekaton_sandbox_limits_hit_total{limit="memory",stage="train"} 1"#,
            #"hekaton_sandbox_limits_hit_total{limit="processes",stage="score"} 1"#,
            #"hekaton_sandbox_limits_hit_total{limit="time",stage="predict"} 1"#,
            #"hekaton_job_duration_seconds_count{stage="train"} 2"#,
            #"hekaton_job_duration_seconds_sum{stage="train"} 52.5"#,
            "hekaton_start_time_seconds 1700000000.0",
        ] {
            #expect(text.contains(line + "\n"), "\(line) in\n\(text)")
        }
        #expect(!text.contains("mystery") && !text.contains("\"101\""), "no job's kind or id becomes a label value")
        #expect(text.contains("# HELP hekaton_job_attempts_total "), "every family has its help (promtool's lint asks for it)")
    }

    @Test("Outcomes follow the event outbox: each event counted once across scrapes; the queue by queue and state, an emptied state set to 0")
    func fromTheDatabase() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (database, metrics) = try open()
        try await database.write { db in
            try Event.record(db, .submissionScored, competition: "pococha", participantUID: 1000, message: "scored")
            try Event.record(db, .submissionScored, competition: "pococha", participantUID: 1000, message: "scored")
            try Event.record(db, .submissionFailed, competition: "pococha", participantUID: 1000, message: "failed")
            try Event.record(db, .roundDecided, competition: "pococha", message: "round", data: ["state": "promoted", "round": "7"])
            try Event.record(db, .ingestionUnchanged, competition: "pococha", message: "same")
        }
        let queue = JobQueue(writer: database)
        let first = try queue.enqueue(JobSpec(argv: ["true"], queue: "train"))
        _ = try queue.enqueue(JobSpec(argv: ["true"], queue: "train"))
        var text = try await scrape(metrics)
        for line in [#"hekaton_submissions_total{outcome="scored"} 2"#, #"hekaton_submissions_total{outcome="failed"} 1"#,
                     #"hekaton_rounds_total{decision="promoted"} 1"#, #"hekaton_ingestions_total{result="unchanged"} 1"#,
                     #"hekaton_jobs{queue="train",state="queued"} 2.0"#] {
            #expect(text.contains(line + "\n"), "\(line) in\n\(text)")
        }
        try await database.write { db in
            try Event.record(db, .submissionScored, competition: "pococha", participantUID: 1000, message: "scored")
        }
        _ = try queue.cancel(first.job.id)
        _ = try queue.cancel(try #require(try await database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM job") }))
        text = try await scrape(metrics)
        #expect(text.contains(#"hekaton_submissions_total{outcome="scored"} 3"# + "\n"), "the new event only: \(text)")
        #expect(text.contains(#"hekaton_rounds_total{decision="promoted"} 1"# + "\n"), "not counted twice")
        #expect(text.contains(#"hekaton_jobs{queue="train",state="queued"} 0.0"# + "\n"), "emptied, not dropped: \(text)")
        #expect(text.contains(#"hekaton_jobs{queue="train",state="cancelled"} 2.0"# + "\n"))
    }

    @Test("Requests count by route pattern and status through the router; an unknown path as unmatched")
    func requests() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, metrics) = try open()
        var router = Router()
        router.add("GET", "/v1/jobs/{id}", .anyone) { .text("job \($0.parameters["id"]!)") }
        router.observe = { metrics.request(method: $0, route: $1, status: $2) }
        let caller = Caller(uid: 1000, gid: 1000, pid: 1, user: "ada", isAdmin: false)
        for path in ["/v1/jobs/42", "/v1/jobs/43", "/v1/secret-\(UUID().uuidString)"] {
            _ = await router.respond(to: APIRequest(method: "GET", path: path, query: [:], headers: [], body: .bytes([]), caller: caller))
        }
        let text = try await scrape(metrics)
        #expect(text.contains(#"hekaton_http_requests_total{method="GET",route="/v1/jobs/{id}",status="200"} 2"# + "\n"), "\(text)")
        #expect(text.contains(#"hekaton_http_requests_total{method="GET",route="unmatched",status="404"} 1"# + "\n"), "\(text)")
        #expect(!text.contains("secret") && !text.contains("/42"))
    }
}
