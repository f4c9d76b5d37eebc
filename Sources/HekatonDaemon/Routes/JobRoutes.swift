import Cluster
import ControlAPI
import Execution
import Foundation
import GRDB
import Scheduler

extension Router {
    /// The durable queue: raw commands run as the daemon's user, so submitting them is for hosts.
    mutating func addJobRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/jobs", .host) { request in
            let body = try request.decode(JobSubmitRequest.self)
            let spec = try JobMapping.spec(body)
            let enqueued = try await daemon.mapQueueErrors { try await daemon.database.write { db in try daemon.queue.enqueue(db, spec) } }
            daemon.workers?.wake()
            var info = try JobMapping.info(enqueued.job, dependsOn: body.after ?? [])
            info.existing = enqueued.isExisting
            return .json(info, status: enqueued.isExisting ? 200 : 201)
        }
        add("GET", "/v1/jobs", .host) { request in
            var filter = JobFilter(limit: try request.intQuery("limit", default: 100, in: 1...1000))
            if let state = request.query["state"] {
                guard let parsed = JobState(rawValue: state) else {
                    throw Problem(title: "Invalid state", status: 400,
                                  detail: "'\(state)' is not a job state; use one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.states = [parsed]
            }
            filter.queue = request.query["queue"]
            let chosen = filter
            let jobs = try await daemon.database.read { db in
                try daemon.queue.list(db, chosen).map { ($0, try daemon.queue.dependencies(of: $0.id, db)) }
            }
            return .json(JobList(jobs: try jobs.map { job, dependencies in
                try JobMapping.info(job, dependsOn: dependencies, cluster: daemon.clusterJobs)
            }))
        }
        add("GET", "/v1/jobs/{id}", .host) { request in
            let job = try await daemon.existingJob(try request.intParameter("id"))
            return .json(try JobMapping.info(job, dependsOn: try await daemon.dependencies(of: job.id), cluster: daemon.clusterJobs))
        }
        add("GET", "/v1/jobs/{id}/logs", .host) { request in
            let job = try await daemon.existingJob(try request.intParameter("id"))
            let follow = request.query["follow"] == "true" || request.query["follow"] == "1"
            return LogStream.response(path: daemon.logPath(of: job), follow: follow) {
                await daemon.jobHasEnded(job.id)
            }
        }
        add("POST", "/v1/jobs/{id}/cancel", .host) { request in
            let id = try request.intParameter("id")
            let (job, dependencies) = try await daemon.mapQueueErrors {
                try await daemon.database.write { db in
                    let job = try daemon.queue.cancel(db, id)
                    return (job, try daemon.queue.dependencies(of: job.id, db))
                }
            }
            daemon.workers?.wake()
            return .json(try JobMapping.info(job, dependsOn: dependencies))
        }
        add("POST", "/v1/jobs/{id}/retry", .host) { request in
            let id = try request.intParameter("id")
            let (job, dependencies) = try await daemon.mapQueueErrors {
                try await daemon.database.write { db in
                    let job = try daemon.queue.retry(db, id)
                    return (job, try daemon.queue.dependencies(of: job.id, db))
                }
            }
            daemon.workers?.wake()
            return .json(try JobMapping.info(job, dependsOn: dependencies))
        }
    }
}

extension DaemonContext {
    func existingJob(_ id: Int64) async throws -> Job {
        guard let job = try await database.read({ db in try Job.fetchOne(db, key: id) }) else {
            throw Problem(title: "No such job", status: 404, detail: "there is no job \(id); `hekatonctl job list` shows the jobs")
        }
        return job
    }

    func dependencies(of id: Int64) async throws -> [Int64] {
        try await database.read { db in try queue.dependencies(of: id, db) }
    }

    /// For a log that follows its job: true once the job ended, or when it cannot be read.
    func jobHasEnded(_ id: Int64) async -> Bool {
        (try? await database.read { db in try Job.fetchOne(db, key: id) })??.state.isFinal ?? true
    }

    func logPath(of job: Job) -> String {
        job.logPath ?? (stateDirectory + "/logs/job-\(job.id).log")
    }

    /// The queue's refusals are the client's problem (4xx), with the queue's own message.
    func mapQueueErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as JobQueueError {
            let status: Int
            switch error.code {
            case .unknownJob: status = 404
            case .alreadyFinished, .notRetryable, .uniqueKeyTaken: status = 409
            case .emptyCommand, .invalidSpec, .selfDependency, .unknownDependency: status = 400
            }
            throw Problem(title: "Job refused", status: status, detail: error.message)
        }
    }
}

/// Between the queue's records and the API's wire types.
enum JobMapping {
    static func spec(_ request: JobSubmitRequest) throws -> JobSpec {
        var notBefore: Date?
        if let text = request.notBefore {
            guard let date = RFC3339.parse(text) else {
                throw Problem(title: "Invalid request", status: 400, detail: "notBefore '\(text)' is not an RFC 3339 instant")
            }
            notBefore = date
        }
        return JobSpec(argv: request.argv, environment: request.environment ?? [:], workingDirectory: request.workingDirectory,
                       queue: request.queue ?? JobSpec.defaultQueue, priority: request.priority ?? 0, notBefore: notBefore,
                       timeoutSeconds: request.timeoutSeconds, maxAttempts: request.maxAttempts ?? JobSpec.defaultMaxAttempts,
                       uniqueKey: request.uniqueKey, dependencies: request.after ?? [], labels: request.labels ?? [:])
    }

    static func info(_ job: Job, dependsOn: [Int64], cluster: ClusterJobBoard? = nil) throws -> JobInfo {
        let seen = cluster?.entry(for: job.id)
        return JobInfo(id: job.id, queue: job.queue, priority: job.priority, state: job.state.rawValue, argv: job.argv,
                workingDirectory: job.workingDirectory, attempt: job.attempt, maxAttempts: job.maxAttempts,
                timeoutSeconds: job.timeoutSeconds, uniqueKey: job.uniqueKey, labels: job.labels, dependsOn: dependsOn,
                schedule: job.scheduleName, createdAt: RFC3339.string(job.createdAt),
                notBefore: job.notBefore > job.createdAt ? RFC3339.string(job.notBefore) : nil,
                startedAt: job.startedAt.map { RFC3339.string($0) }, finishedAt: job.finishedAt.map { RFC3339.string($0) },
                exitStatus: job.exitStatus.map(Int.init), signal: job.signal.map(Int.init), wallSeconds: job.wallSeconds,
                userSeconds: job.userSeconds, systemSeconds: job.systemSeconds, peakMemoryBytes: job.peakMemoryBytes,
                error: job.error, executor: job.executor, externalID: job.externalID,
                clusterState: seen?.state, clusterDetail: seen?.detail, share: job.shareKey)
    }
}
