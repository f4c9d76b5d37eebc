import Cron
import Foundation
import GRDB

extension ScheduleBook {
    /// Fires every schedule that is due at `now`, applying its policies, and returns what
    /// happened. Call at start-up (this is the catch-up after downtime) and whenever the
    /// next fire time comes.
    @discardableResult
    public func fireDue(now: Date? = nil) async throws -> [ScheduleEvent] {
        let now = now ?? clock.now()
        let due = try await writer.read { db in
            try Schedule.filter(sql: "NOT suspended AND next_fire_at IS NOT NULL AND next_fire_at <= ?", arguments: [now])
                .order(Column("next_fire_at")).fetchAll(db)
        }
        var events: [ScheduleEvent] = []
        for schedule in due {
            if let event = try await fire(schedule.name, now: now, manual: false) { events.append(event) }
        }
        return events
    }

    /// Fires a schedule now, whatever its cron says (`hekatonctl schedule run`); the overlap
    /// policy still applies.
    ///
    /// - Parameter logicalTime: the instant the job stands for, as a backfill: a missed
    ///   night's ingestion is run today for yesterday. Nil is now.
    @discardableResult
    public func runNow(_ name: String, logicalTime: Date? = nil) async throws -> ScheduleEvent {
        _ = try await writer.read { db in try schedule(db, name) }
        return try await fire(name, now: clock.now(), manual: true, logicalTime: logicalTime)!
    }

    /// The label that carries the instant a scheduled job stands for, in whole seconds since
    /// 1970: the cron time it fired for, or a manual run's logical time.
    public static let instantLabel = "hekaton.instant"

    private func fire(_ name: String, now: Date, manual: Bool, logicalTime: Date? = nil) async throws -> ScheduleEvent? {
        // `replace` cancels the running job first; a cancel is its own commit, and the
        // new job does not wait for the old one to be gone.
        let (current, active) = try await writer.read { db in (try schedule(db, name), try activeJobs(of: name, db)) }
        var cancelled: [Int64] = []
        if current.overlap == .replace {
            for jobID in active {
                if (try? await writer.write({ db in try queue.cancel(db, jobID) })) != nil { cancelled.append(jobID) }
            }
        }
        let replaced = cancelled
        return try await writer.write { db -> ScheduleEvent? in
            guard var schedule = try Schedule.fetchOne(db, key: name) else { return nil }
            let cron = try Self.validate(schedule)
            let decision: FireDecision
            if manual {
                decision = .fire(kind: .manual, scheduledFor: logicalTime, detail: logicalTime == nil ? nil : "backfill")
            } else {
                guard let due = schedule.nextFireAt, due <= now, !schedule.suspended else { return nil }
                decision = decide(schedule, cron: cron, due: due, now: now)
            }
            var event: ScheduleEvent
            switch decision {
            case .skip(let kind, let scheduledFor, let detail):
                event = ScheduleEvent(scheduleName: name, at: now, scheduledFor: scheduledFor, kind: kind, detail: detail)
            case .fire(var kind, let scheduledFor, var detail):
                let running = try activeJobs(of: name, db)
                if schedule.overlap == .forbid, let blocking = running.first {
                    event = ScheduleEvent(scheduleName: name, at: now, scheduledFor: scheduledFor, kind: .skippedOverlap,
                                          jobID: blocking, detail: "job \(blocking) of this schedule has not ended (overlap: forbid)")
                    break
                }
                if !replaced.isEmpty && kind != .manual {
                    kind = .replaced
                    detail = "cancelled job \(replaced.map(String.init).joined(separator: ", ")) (overlap: replace)"
                }
                let jitter = (schedule.jitterSeconds ?? 0) * queue.random()
                let instant = logicalTime ?? scheduledFor ?? now
                let spec = JobSpec(
                    kind: schedule.kind, argv: schedule.argv, environment: schedule.environment, workingDirectory: schedule.workingDirectory,
                    queue: schedule.queue, priority: schedule.priority, notBefore: now.addingTimeInterval(jitter),
                    timeoutSeconds: schedule.timeoutSeconds, maxAttempts: schedule.maxAttempts,
                    uniqueKey: "schedule:\(name):\(Int(instant.timeIntervalSince1970))\(kind == .manual ? ":manual:\(Int(now.timeIntervalSince1970 * 1000))" : "")",
                    labels: schedule.labels.merging(["schedule": name, Self.instantLabel: "\(Int(instant.timeIntervalSince1970))"]) { old, _ in old },
                    scheduleName: name, executor: schedule.executor)
                let enqueued = try queue.enqueue(db, spec)
                event = ScheduleEvent(scheduleName: name, at: now, scheduledFor: scheduledFor, kind: kind,
                                      jobID: enqueued.job.id, detail: detail)
                schedule.lastJobID = enqueued.job.id
            }
            try event.insert(db)
            if event.kind == .missedDeadline {
                try Event.record(db, .scheduleMissed, competition: schedule.labels["hekaton.competition"],
                                 message: "schedule \(name) did not fire\(event.scheduledFor.map { " for \($0)" } ?? ""): \(event.detail ?? "its starting deadline passed")",
                                 data: ["schedule": name], at: now)
            }
            schedule.lastFireAt = now
            schedule.lastOutcome = event.kind.rawValue + (event.detail.map { ": \($0)" } ?? "")
            if !manual {
                schedule.nextFireAt = cron.nextFireDate(after: now)
            }
            try schedule.update(db)
            return event
        }
    }

    enum FireDecision {
        case fire(kind: ScheduleEvent.Kind, scheduledFor: Date?, detail: String?)
        case skip(kind: ScheduleEvent.Kind, scheduledFor: Date?, detail: String)
    }

    /// On time, a fire fires. Late (the daemon was down), catch-up `once` fires once for
    /// everything missed, at most once, and not at all past the starting deadline;
    /// catch-up `none` records what was missed and fires nothing.
    func decide(_ schedule: Schedule, cron: CronExpression, due: Date, now: Date) -> FireDecision {
        var latest = due
        var missed = 1
        while let next = cron.nextFireDate(after: latest), next <= now {
            latest = next
            missed += 1
            if missed > 100_000 { break }
        }
        let lateness = now.timeIntervalSince(latest)
        if let deadline = schedule.deadlineSeconds, lateness > deadline {
            return .skip(kind: .missedDeadline, scheduledFor: latest,
                         detail: "\(missed) fire(s) missed; the last was \(Int(lateness))s ago, past the \(Int(deadline))s starting deadline")
        }
        if missed == 1 && lateness <= onTimeTolerance {
            return .fire(kind: .fired, scheduledFor: latest, detail: nil)
        }
        switch schedule.catchUp {
        case .once:
            return .fire(kind: .caughtUp, scheduledFor: latest, detail: "\(missed) fire(s) missed; caught up once")
        case .none:
            return .skip(kind: .missedDeadline, scheduledFor: latest, detail: "\(missed) fire(s) missed; catch-up is none")
        }
    }

    func activeJobs(of name: String, _ db: Database) throws -> [Int64] {
        let sql = "SELECT id FROM job WHERE schedule_name = ? AND state IN ('waiting', 'queued', 'running', 'failed') ORDER BY id"
        return try Int64.fetchAll(db, sql: sql, arguments: [name])
    }
}
