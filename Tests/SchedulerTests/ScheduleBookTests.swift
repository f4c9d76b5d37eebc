import Foundation
import GRDB
@testable import Scheduler
import Testing

/// Schedules driven by a clock the test moves: catch-up, deadlines, overlap, validation.
@Suite("Schedules")
struct ScheduleBookTests {
    let clock = ManualClock(Self.instant("2026-11-29T10:00:30Z"))
    let database: DatabaseQueue
    let book: ScheduleBook

    init() throws {
        database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        book = ScheduleBook(queue: JobQueue(writer: database, clock: clock, random: { 0.5 }))
    }

    static func instant(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    func schedule(_ name: String = "nightly", cron: String = "0 * * * *", overlap: ScheduleOverlap = .forbid,
                  catchUp: ScheduleCatchUp = .once, deadline: Double? = nil) -> Schedule {
        Schedule(name: name, cron: cron, timeZone: "UTC", overlap: overlap, catchUp: catchUp, deadlineSeconds: deadline,
                 argv: ["/bin/true"], createdAt: clock.now())
    }

    func jobCount() throws -> Int { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job")! } }

    func finishActiveJobs() throws {
        try database.write { try $0.execute(sql: "UPDATE job SET state = 'succeeded' WHERE state IN ('queued', 'running')") }
    }

    @Test("A new schedule fires at its next time, on time, once")
    func onTime() async throws {
        let added = try book.add(schedule())
        #expect(added.nextFireAt == Self.instant("2026-11-29T11:00:00Z"))
        #expect(try await book.fireDue().isEmpty, "nothing is due before its time")
        clock.set(Self.instant("2026-11-29T11:00:02Z"))
        let events = try await book.fireDue()
        #expect(events.map(\.kind) == [.fired])
        #expect(events.first?.scheduledFor == Self.instant("2026-11-29T11:00:00Z"))
        #expect(try await book.fireDue().isEmpty, "a fire happens once")
        #expect(try jobCount() == 1)
        let stored = try book.schedule("nightly")
        #expect(stored.nextFireAt == Self.instant("2026-11-29T12:00:00Z"))
        #expect(stored.lastOutcome == "fired")
        #expect(stored.lastJobID == events.first?.jobID)
    }

    @Test("After downtime, catch-up once fires a single job for everything missed")
    func catchUpOnce() async throws {
        try book.add(schedule())
        clock.set(Self.instant("2026-11-29T15:20:00Z"))
        let events = try await book.fireDue()
        #expect(events.map(\.kind) == [.caughtUp])
        #expect(events.first?.scheduledFor == Self.instant("2026-11-29T15:00:00Z"), "the latest missed fire")
        #expect(events.first?.detail?.contains("5 fire(s) missed") == true)
        #expect(try jobCount() == 1)
        #expect(try book.schedule("nightly").nextFireAt == Self.instant("2026-11-29T16:00:00Z"))
        #expect(try await book.fireDue().isEmpty)
    }

    @Test("Catch-up none records what was missed and fires nothing")
    func catchUpNone() async throws {
        try book.add(schedule(catchUp: .none))
        clock.set(Self.instant("2026-11-29T15:20:00Z"))
        let events = try await book.fireDue()
        #expect(events.map(\.kind) == [.missedDeadline])
        #expect(try jobCount() == 0)
    }

    @Test("Past the starting deadline a missed fire does not run")
    func deadline() async throws {
        try book.add(schedule(deadline: 600))
        clock.set(Self.instant("2026-11-29T11:15:00Z"))
        let late = try await book.fireDue()
        #expect(late.map(\.kind) == [.missedDeadline])
        #expect(try jobCount() == 0)
        clock.set(Self.instant("2026-11-29T12:05:00Z"))
        let within = try await book.fireDue()
        #expect(within.map(\.kind) == [.caughtUp], "five minutes late is within the ten-minute deadline")
        #expect(try jobCount() == 1)
    }

    @Test("Overlap forbid skips while the previous job runs, and records the skip")
    func overlapForbid() async throws {
        try book.add(schedule())
        clock.set(Self.instant("2026-11-29T11:00:01Z"))
        let first = try #require(try await book.fireDue().first)
        clock.set(Self.instant("2026-11-29T12:00:01Z"))
        let skipped = try await book.fireDue()
        #expect(skipped.map(\.kind) == [.skippedOverlap])
        #expect(skipped.first?.jobID == first.jobID)
        #expect(try jobCount() == 1)
        try finishActiveJobs()
        clock.set(Self.instant("2026-11-29T13:00:01Z"))
        #expect(try await book.fireDue().map(\.kind) == [.fired])
        #expect(try jobCount() == 2)
        #expect(try book.events(of: "nightly").map(\.kind) == [.fired, .skippedOverlap, .fired])
    }

    @Test("Overlap replace cancels the previous job first")
    func overlapReplace() async throws {
        try book.add(schedule(overlap: .replace))
        clock.set(Self.instant("2026-11-29T11:00:01Z"))
        let first = try #require(try await book.fireDue().first?.jobID)
        clock.set(Self.instant("2026-11-29T12:00:01Z"))
        let replaced = try await book.fireDue()
        #expect(replaced.map(\.kind) == [.replaced])
        #expect(try book.queue.job(first)?.state == .cancelled)
        #expect(try jobCount() == 2)
    }

    @Test("Overlap allow starts another job while one runs")
    func overlapAllow() async throws {
        try book.add(schedule(overlap: .allow))
        clock.set(Self.instant("2026-11-29T11:00:01Z"))
        try await book.fireDue()
        clock.set(Self.instant("2026-11-29T12:00:01Z"))
        #expect(try await book.fireDue().map(\.kind) == [.fired])
        #expect(try jobCount() == 2)
    }

    @Test("Run now fires whatever the cron says; suspend stops fires; resume does not catch up")
    func manualSuspendResume() async throws {
        try book.add(schedule())
        #expect(try await book.runNow("nightly").kind == .manual)
        #expect(try jobCount() == 1)
        try finishActiveJobs()
        _ = try book.setSuspended("nightly", true)
        clock.set(Self.instant("2026-11-29T14:00:01Z"))
        #expect(try await book.fireDue().isEmpty)
        let resumed = try book.setSuspended("nightly", false)
        #expect(resumed.nextFireAt == Self.instant("2026-11-29T15:00:00Z"))
        #expect(try await book.fireDue().isEmpty)
    }

    @Test("Bad schedules are refused with a clear error and change nothing", arguments: [
        ("bad name/x", "0 * * * *", "UTC", ["/bin/true"], ScheduleError.Code.invalidName),
        ("ok", "0 0 30 2 *", "UTC", ["/bin/true"], .invalidCron),
        ("ok", "61 * * * *", "UTC", ["/bin/true"], .invalidCron),
        ("ok", "0 * * * *", "Mars/Olympus", ["/bin/true"], .invalidTimeZone),
        ("ok", "0 * * * *", "UTC", [], .emptyCommand),
    ] as [(String, String, String, [String], ScheduleError.Code)])
    func invalid(name: String, cron: String, zone: String, argv: [String], code: ScheduleError.Code) throws {
        let bad = Schedule(name: name, cron: cron, timeZone: zone, argv: argv, createdAt: clock.now())
        #expect(throws: ScheduleError.self) { try book.add(bad) }
        do { try book.add(bad) } catch let error as ScheduleError { #expect(error.code == code, "\(error)") }
        #expect(try book.list().isEmpty)
    }

    @Test("A duplicate name is refused and the first schedule stays")
    func duplicate() throws {
        try book.add(schedule(cron: "0 * * * *"))
        do {
            try book.add(schedule(cron: "5 * * * *"))
            Issue.record("accepted a duplicate")
        } catch let error as ScheduleError {
            #expect(error.code == .duplicate)
        }
        #expect(try book.schedule("nightly").cron == "0 * * * *")
    }
}
