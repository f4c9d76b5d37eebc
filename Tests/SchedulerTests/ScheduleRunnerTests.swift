import Foundation
import GRDB
import Scheduler
import Testing

/// The schedule runner on a clock the test moves: it sleeps on that clock, so a fire comes
/// when the test moves the time to it, and the test waits for the event, not for time.
@Suite("Schedule runner")
struct ScheduleRunnerTests {
    let clock = ManualClock(ScheduleBookTests.instant("2026-11-29T10:00:30Z"))
    let book: ScheduleBook

    init() throws {
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        book = ScheduleBook(queue: JobQueue(writer: database, clock: clock, random: { 0.5 }))
    }

    @Test("The runner fires a schedule once its clock reaches the fire time, then sleeps until the next")
    func firesOnItsClock() async throws {
        try book.add(Schedule(name: "hourly", cron: "0 * * * *", timeZone: "UTC", argv: ["/bin/true"], createdAt: clock.now()))
        let (events, record) = AsyncStream.makeStream(of: ScheduleEvent.self)
        let runner = ScheduleRunner(book: book, onEvent: { record.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run() }
            clock.set(ScheduleBookTests.instant("2026-11-29T11:00:02Z"))
            let first = try await PoolProbe.next(1, of: events)
            #expect(first.map(\.kind) == [.fired])
            #expect(first.first?.scheduledFor == ScheduleBookTests.instant("2026-11-29T11:00:00Z"))
            clock.set(ScheduleBookTests.instant("2026-11-29T12:00:01Z"))
            let second = try await PoolProbe.next(1, of: events)
            #expect(second.first?.scheduledFor == ScheduleBookTests.instant("2026-11-29T12:00:00Z"))
            #expect(try book.schedule("hourly").nextFireAt == ScheduleBookTests.instant("2026-11-29T13:00:00Z"))
            group.cancelAll()
        }
    }
}
