import Foundation
import GRDB
import Pipeline
import Prometheus
import Scheduler
import Synchronization

/// The daemon's Prometheus metrics, served at `GET /metrics` (the socket, for hosts) and at
/// `metrics.listen` when set.
///
/// Two sources. What happens in this process (requests, attempts, sandbox limits, schedule
/// lag) is counted as it happens. What the database already knows (the queue, outcomes,
/// artifacts) is read at each scrape: the outcome counters follow the event outbox with a
/// cursor, so they count every event the database holds and agree across restarts.
///
/// Every label's values come from a closed set (stages, states, kinds, route patterns,
/// status codes) or from names a host configured (queues, schedules, competitions); never
/// a submission, job or user id.
public final class DaemonMetrics: Sendable {
    /// Prometheus's text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let registry = PrometheusCollectorRegistry()
    private let database: any DatabaseWriter
    private let startedAt: Date
    private let scrape = Mutex(ScrapeState())

    private struct ScrapeState {
        /// The last event counted into the outcome counters.
        var eventCursor: Int64 = 0
        /// The queue gauges' label sets seen so far: one that empties is set to 0, not dropped.
        var queueSeries: Set<[String]> = []
    }

    /// The stages and job kinds a duration or attempt is counted under; others count as `other`.
    static let stages: Set<String> = Set(Stage.allCases.map(\.rawValue) + [
        JobKind.ingest, .retrain, .artifact, .command].map(\.rawValue) + ["rescore"])

    public init(database: any DatabaseWriter, startedAt: Date) {
        self.database = database
        self.startedAt = startedAt
        registry.makeGauge(descriptor: Self.startTime).set(startedAt.timeIntervalSince1970)
    }

    // MARK: Counted as it happens

    /// One answered request, by its route's pattern (not its path) and status.
    func request(method: String, route: String?, status: Int) {
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(method) ? method : "other"
        registry.makeCounter(descriptor: Self.httpRequests, labels: [
            ("method", method), ("route", route ?? "unmatched"), ("status", "\(min(max(status, 100), 599))"),
        ]).increment()
    }

    /// Attempts the worker pool recorded: their duration and result by stage, the sandbox
    /// limits they hit, and for a scheduled job's first attempt the lag from its fire time.
    func jobsFinished(_ completions: [JobCompletion]) {
        for completion in completions {
            let stage = Self.stage(of: completion)
            let result: String
            switch completion.outcome {
            case .couldNotRun(let error):
                result = error.code == .lost ? "lost" : "could-not-run"
            case .ran(let run):
                result = run.succeeded ? "succeeded" : run.timedOut ? "timed-out" : run.cancelled ? "cancelled"
                    : run.stoppedBy != nil ? "stopped" : "failed"
                registry.makeValueHistogram(descriptor: Self.jobDuration, labels: [("stage", stage)], buckets: Self.durationBuckets)
                    .record(max(run.wallSeconds, 0))
                var limits = run.limitsHit.map(\.rawValue)
                if run.timedOut { limits.append("time") }
                for limit in limits {
                    registry.makeCounter(descriptor: Self.sandboxLimits, labels: [("limit", limit), ("stage", stage)]).increment()
                }
            }
            registry.makeCounter(descriptor: Self.jobAttempts, labels: [("stage", stage), ("result", result)]).increment()
        }
        let scheduled = completions.filter { $0.scheduleName != nil && $0.lease.attempt <= 1 && $0.startedAt != nil }
        guard !scheduled.isEmpty else { return }
        // The fire time is the schedule's record of the fire that made the job.
        let database = database
        Task { [self] in
            let lags: [(String, Double)] = (try? await database.read { db in
                try scheduled.compactMap { completion -> (String, Double)? in
                    guard let name = completion.scheduleName, let started = completion.startedAt,
                          let due = try Date.fetchOne(db, sql: "SELECT scheduled_for FROM schedule_event WHERE job_id = ? AND scheduled_for IS NOT NULL ORDER BY id LIMIT 1",
                                                      arguments: [completion.jobID]) else { return nil }
                    return (name, started.timeIntervalSince(due))
                }
            }) ?? []
            for (name, lag) in lags {
                registry.makeValueHistogram(descriptor: Self.scheduleLag, labels: [("schedule", name)], buckets: Self.lagBuckets)
                    .record(max(lag, 0))
            }
        }
    }

    static func stage(of completion: JobCompletion) -> String {
        let name = completion.labels[Stage.label] ?? completion.kind.rawValue
        return stages.contains(name) ? name : "other"
    }

    // MARK: Read at each scrape

    /// The exposition, after bringing the figures read from the database up to date.
    func exposition() async throws -> [UInt8] {
        let cursor = scrape.withLock { $0.eventCursor }
        let now = Date()
        let snapshot = try await database.read { db in try Snapshot(db, after: cursor) }
        scrape.withLock { state in
            state.eventCursor = max(state.eventCursor, snapshot.lastEvent)
            var seen: Set<[String]> = []
            for row in snapshot.queue {
                seen.insert([row.queue, row.state])
                registry.makeGauge(descriptor: Self.queueDepth, labels: [("queue", row.queue), ("state", row.state)]).set(Double(row.count))
            }
            for gone in state.queueSeries.subtracting(seen) {
                registry.makeGauge(descriptor: Self.queueDepth, labels: [("queue", gone[0]), ("state", gone[1])]).set(0.0)
            }
            state.queueSeries.formUnion(seen)
            for event in snapshot.events {
                guard let (descriptor, label) = Self.outcome(of: event) else { continue }
                registry.makeCounter(descriptor: descriptor, labels: label.map { [$0] } ?? []).increment(by: Int64(event.count))
            }
            for artifact in snapshot.artifacts {
                registry.makeGauge(descriptor: Self.artifactAge, labels: [("competition", artifact.competition)])
                    .set(max(now.timeIntervalSince(artifact.at), 0) as Double)
            }
        }
        return registry.emitToBuffer()
    }

    /// The counter (and its label) an event kind counts under; nil for kinds no counter follows.
    static func outcome(of event: Snapshot.EventCount) -> (MetricNameDescriptor, (String, String)?)? {
        switch event.kind {
        case .submissionScored: (submissions, ("outcome", "scored"))
        case .submissionFailed: (submissions, ("outcome", "failed"))
        case .roundDecided: (rounds, ("decision", event.detail.flatMap { RetrainRound.State(rawValue: $0)?.rawValue } ?? "other"))
        case .ingestionNewVersion: (ingestions, ("result", "new-version"))
        case .ingestionUnchanged: (ingestions, ("result", "unchanged"))
        case .ingestionFailed: (ingestions, ("result", "failed"))
        case .artifactBuilt: (artifacts, ("result", "built"))
        case .artifactFailed: (artifacts, ("result", "failed"))
        case .productionPromoted: (productionChanges, ("change", "promoted"))
        case .productionRolledBack: (productionChanges, ("change", "rolled-back"))
        case .jobDead: (deadJobs, nil)
        case .scheduleMissed: (missedFires, nil)
        case .diskSoftLimit, .webhookTest: nil
        }
    }

    /// What one scrape reads, in one read transaction.
    struct Snapshot {
        struct QueueCount { var queue: String; var state: String; var count: Int }
        struct EventCount { var kind: Event.Kind; var detail: String?; var count: Int }
        struct ArtifactTime { var competition: String; var at: Date }

        var queue: [QueueCount] = []
        var events: [EventCount] = []
        var lastEvent: Int64 = 0
        var artifacts: [ArtifactTime] = []

        init(_ db: Database, after cursor: Int64) throws {
            queue = try Row.fetchAll(db, sql: "SELECT queue, state, count(*) AS n FROM job GROUP BY queue, state").map {
                QueueCount(queue: $0["queue"], state: $0["state"], count: $0["n"])
            }
            lastEvent = try Int64.fetchOne(db, sql: "SELECT max(id) FROM event") ?? 0
            // A round's decision is its state; other kinds count as one each.
            events = try Row.fetchAll(db, sql: """
                SELECT kind, CASE kind WHEN 'round.decided' THEN json_extract(data, '$.state') END AS detail, count(*) AS n
                FROM event WHERE id > ? AND id <= ? GROUP BY 1, 2
                """, arguments: [cursor, lastEvent]).compactMap { row in
                (row["kind"] as String?).flatMap(Event.Kind.init(rawValue:)).map { EventCount(kind: $0, detail: row["detail"], count: row["n"]) }
            }
            // The newest build that succeeded (pruned ones had succeeded) per competition.
            artifacts = try Row.fetchAll(db, sql: """
                SELECT competition, max(at) AS at FROM pipeline_artifact WHERE state IN ('succeeded', 'pruned') GROUP BY competition
                """).map { ArtifactTime(competition: $0["competition"], at: $0["at"]) }
        }
    }

    // MARK: The families (computed: swift-prometheus's descriptor is not Sendable)

    static let durationBuckets: [Double] = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600]
    static let lagBuckets: [Double] = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

    private static func family(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "hekaton", metricName: name, unitName: unit, helpText: help)
    }

    static var startTime: MetricNameDescriptor { family("start_time", "seconds", "When this hekatond process started, in seconds since the Unix epoch.") }
    static var httpRequests: MetricNameDescriptor { family("http_requests", "total", "Control API requests answered, by method, route pattern and status.") }
    static var jobAttempts: MetricNameDescriptor { family("job_attempts", "total", "Job attempts recorded, by stage (or job kind) and result.") }
    static var jobDuration: MetricNameDescriptor { family("job_duration", "seconds", "Wall time of job attempts that ran, by stage (or job kind).") }
    static var sandboxLimits: MetricNameDescriptor { family("sandbox_limits_hit", "total", "Attempts that ran into a sandbox limit (memory, processes, time), by limit and stage.") }
    static var scheduleLag: MetricNameDescriptor { family("schedule_lag", "seconds", "From a schedule's fire time to its job's start, by schedule.") }
    static var queueDepth: MetricNameDescriptor { family("jobs", "", "Jobs in the queue, by queue and state.") }
    static var submissions: MetricNameDescriptor { family("submissions", "total", "Participants' submissions that ended, by outcome (scored or failed).") }
    static var rounds: MetricNameDescriptor { family("rounds", "total", "Retraining rounds decided, by decision.") }
    static var ingestions: MetricNameDescriptor { family("ingestions", "total", "Ingestions that ended, by result.") }
    static var artifacts: MetricNameDescriptor { family("artifact_builds", "total", "Artifact builds that ended, by result.") }
    static var productionChanges: MetricNameDescriptor { family("production_changes", "total", "Production models changed, by promotion or rollback.") }
    static var deadJobs: MetricNameDescriptor { family("dead_jobs", "total", "Jobs that ended dead: their attempts ran out.") }
    static var missedFires: MetricNameDescriptor { family("schedule_missed_fires", "total", "Schedule fires missed past their starting deadline.") }
    static var artifactAge: MetricNameDescriptor { family("artifact_age", "seconds", "Age of each competition's newest successful artifact build.") }
}
