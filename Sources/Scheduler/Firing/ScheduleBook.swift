import Cron
import Foundation
import GRDB

/// Schedules as stored rows, and the decision of what each due fire does.
///
/// Firing is a transaction: the job is enqueued, the event recorded, and the schedule's
/// next fire time advanced in one commit, so a crash never loses a fire nor doubles one.
/// Each scheduled job also carries the unique key `schedule:NAME:INSTANT`.
public struct ScheduleBook: Sendable {
    public let queue: JobQueue
    /// A fire this late or less is on time; later, it was missed (the daemon was down or
    /// busy) and the schedule's catch-up policy decides.
    public var onTimeTolerance: TimeInterval = 60

    public init(queue: JobQueue) {
        self.queue = queue
    }

    var writer: any DatabaseWriter { queue.writer }
    var clock: any WallClock { queue.clock }

    // MARK: Defining

    /// Adds a schedule after checking everything about it; its first fire is the next one
    /// after now (a new schedule catches nothing up).
    @discardableResult
    public func add(_ schedule: Schedule) throws -> Schedule {
        try writer.write { db in try add(db, schedule) }
    }

    @discardableResult
    public func add(_ db: Database, _ schedule: Schedule) throws -> Schedule {
        var schedule = schedule
        let cron = try Self.validate(schedule)
        let now = clock.now()
        schedule.createdAt = now
        schedule.nextFireAt = cron.nextFireDate(after: now)
        schedule.lastFireAt = nil
        schedule.lastOutcome = nil
        schedule.lastJobID = nil
        if try Schedule.fetchOne(db, key: schedule.name) != nil {
            throw ScheduleError(.duplicate, "a schedule named '\(schedule.name)' exists already; remove it first or choose another name")
        }
        try schedule.insert(db)
        return schedule
    }

    /// Checks a schedule's name, expression, zone, command and policies.
    @discardableResult
    public static func validate(_ schedule: Schedule) throws -> CronExpression {
        guard schedule.name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", options: .regularExpression) != nil else {
            throw ScheduleError(.invalidName, "'\(schedule.name)' is not a valid schedule name: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters")
        }
        guard let program = schedule.argv.first, !program.isEmpty else {
            throw ScheduleError(.emptyCommand, "schedule '\(schedule.name)' has no command; give one after --")
        }
        do {
            try JobSpec.checkCommand(argv: schedule.argv, queue: schedule.queue, timeoutSeconds: schedule.timeoutSeconds,
                                     maxAttempts: schedule.maxAttempts)
        } catch {
            throw ScheduleError(.invalidPolicy, "schedule '\(schedule.name)': \(error.message)")
        }
        let zone: TimeZone
        do { zone = try CronExpression.timeZone(named: schedule.timeZone) } catch {
            throw ScheduleError(.invalidTimeZone, "\(error)")
        }
        do {
            let cron = try CronExpression(schedule.cron, timeZone: zone)
            for (name, value) in [("deadline", schedule.deadlineSeconds), ("jitter", schedule.jitterSeconds)] {
                if let value, !(value >= 0 && value <= JobSpec.maxTimeoutSeconds) {
                    throw ScheduleError(.invalidPolicy, "the \(name) of schedule '\(schedule.name)' must be a duration from 0 to 30 days")
                }
            }
            return cron
        } catch let error as CronParseError {
            throw ScheduleError(.invalidCron, "invalid cron expression '\(schedule.cron)': \(error)")
        }
    }

    public func remove(_ name: String) throws -> Schedule {
        try writer.write { db in try remove(db, name) }
    }

    public func remove(_ db: Database, _ name: String) throws -> Schedule {
        let schedule = try existing(name, db)
        try Schedule.deleteOne(db, key: name)
        return schedule
    }

    /// Suspends or resumes. A resumed schedule fires next at its next time after now;
    /// what it missed while suspended is not caught up.
    public func setSuspended(_ name: String, _ suspended: Bool) throws -> Schedule {
        try writer.write { db in try setSuspended(db, name, suspended) }
    }

    public func setSuspended(_ db: Database, _ name: String, _ suspended: Bool) throws -> Schedule {
        var schedule = try existing(name, db)
        schedule.suspended = suspended
        if !suspended {
            schedule.nextFireAt = try Self.validate(schedule).nextFireDate(after: clock.now())
        }
        try schedule.update(db)
        return schedule
    }

    public func schedule(_ name: String) throws -> Schedule {
        try writer.read { db in try existing(name, db) }
    }

    public func schedule(_ db: Database, _ name: String) throws -> Schedule {
        try existing(name, db)
    }

    public func list() throws -> [Schedule] {
        try writer.read { db in try list(db) }
    }

    public func list(_ db: Database) throws -> [Schedule] {
        try Schedule.order(Column("name")).fetchAll(db)
    }

    /// The schedule's history, newest first.
    public func events(of name: String, limit: Int = 20) throws -> [ScheduleEvent] {
        try writer.read { db in try events(db, of: name, limit: limit) }
    }

    public func events(_ db: Database, of name: String, limit: Int = 20) throws -> [ScheduleEvent] {
        try ScheduleEvent.filter(Column("schedule_name") == name).order(Column("id").desc).limit(limit).fetchAll(db)
    }

    /// When the next active schedule is due; the runner sleeps until then.
    public func nextFireDate() async throws -> Date? {
        try await writer.read { db in
            try Date.fetchOne(db, sql: "SELECT MIN(next_fire_at) FROM schedule WHERE NOT suspended AND next_fire_at IS NOT NULL")
        }
    }

    private func existing(_ name: String, _ db: Database) throws -> Schedule {
        guard let schedule = try Schedule.fetchOne(db, key: name) else {
            throw ScheduleError(.unknown, "no schedule named '\(name)'; `hekatonctl schedule list` shows them")
        }
        return schedule
    }
}
