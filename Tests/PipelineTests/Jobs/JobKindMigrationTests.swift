import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// A database from before job kinds: its jobs and schedules get the kinds their labels meant.
@Suite("Jobs: kinds of earlier rows")
struct JobKindMigrationTests {
    @Test("Jobs and schedules written before kinds get them from their labels; other rows stay commands")
    func backfilled() throws {
        let database = try DatabaseQueue()
        var old = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &old)
        try old.migrate(database, upTo: "scheduler-3-schedule-executor")
        let rows: [(labels: String, kind: JobKind)] = [
            (#"{"hekaton.stage":"train","hekaton.submission":"12","hekaton.competition":"toy"}"#, .stage),
            (#"{"hekaton.stage":"build","hekaton.submission":"12"}"#, .stage),
            (#"{"hekaton.task":"ingest","hekaton.competition":"toy"}"#, .ingest),
            (#"{"hekaton.task":"retrain","hekaton.competition":"toy"}"#, .retrain),
            (#"{"hekaton.task":"artifact","hekaton.competition":"toy"}"#, .artifact),
            (#"{"hekaton.stage":"train"}"#, .command),
            (#"{"hekaton.stage":"train","hekaton.submission":"12x"}"#, .command),
            (#"{"hekaton.task":"reboot"}"#, .command),
            ("{}", .command),
        ]
        try database.write { db in
            for (index, row) in rows.enumerated() {
                try db.execute(sql: """
                    INSERT INTO job (queue, state, argv, not_before, max_attempts, labels, created_at)
                    VALUES ('default', 'queued', '["true"]', '2026-11-30 00:00:00.000', 1, ?, '2026-11-30 00:00:00.000')
                    """, arguments: [row.labels])
                try db.execute(sql: """
                    INSERT INTO schedule (name, cron, time_zone, overlap, catch_up, argv, queue, max_attempts, labels, created_at)
                    VALUES (?, '0 4 * * *', 'UTC', 'forbid', 'once', '["true"]', 'default', 1, ?, '2026-11-30 00:00:00.000')
                    """, arguments: ["s\(index)", row.labels])
            }
        }
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        LineageSchema.registerMigrations(in: &migrator)
        PipelineSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database)
        let (jobs, schedules) = try database.read { db in
            (try Job.fetchAll(db, sql: "SELECT * FROM job ORDER BY id").map(\.kind),
             try Schedule.fetchAll(db, sql: "SELECT * FROM schedule ORDER BY rowid").map(\.kind))
        }
        #expect(jobs == rows.map(\.kind))
        #expect(schedules == rows.map(\.kind))
    }
}
