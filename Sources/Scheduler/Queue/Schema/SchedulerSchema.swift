import GRDB

/// The queue's and the schedules' tables, for the daemon's one `DatabaseMigrator`.
///
/// Migrations are named `scheduler-…`, never edited once released, and written with table
/// and column names rather than record types, so later changes to the types cannot rewrite
/// history. Times are GRDB's UTC text (`yyyy-MM-dd HH:mm:ss.SSS`), as in the lineage tables,
/// so they compare as text and read well in `sqlite3`.
public enum SchedulerSchema {
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("scheduler-1-jobs") { db in
            try db.create(table: "job") { t in
                // AUTOINCREMENT: ids of pruned jobs are never handed out again, because logs,
                // lineage runs and users' notes refer to jobs by id.
                t.autoIncrementedPrimaryKey("id")
                t.column("queue", .text).notNull()
                t.column("priority", .integer).notNull().defaults(to: 0)
                t.column("state", .text).notNull().check(sql: """
                    state IN ('waiting', 'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled', 'upstream-failed')
                    """)
                t.column("argv", .jsonText).notNull()
                t.column("environment", .jsonText).notNull().defaults(to: "{}")
                t.column("working_directory", .text)
                t.column("not_before", .datetime).notNull()
                t.column("timeout_seconds", .double).check(sql: "timeout_seconds IS NULL OR timeout_seconds > 0")
                t.column("max_attempts", .integer).notNull().check(sql: "max_attempts >= 1")
                t.column("attempt", .integer).notNull().defaults(to: 0)
                t.column("unique_key", .text)
                t.column("labels", .jsonText).notNull().defaults(to: "{}")
                t.column("schedule_name", .text)
                t.column("log_path", .text)
                t.column("created_at", .datetime).notNull()
                t.column("started_at", .datetime)
                t.column("finished_at", .datetime)
                t.column("lease_owner", .text)
                t.column("lease_expires_at", .datetime)
                t.column("cancel_requested", .boolean).notNull().defaults(to: false)
                t.column("exit_status", .integer)
                t.column("signal", .integer)
                t.column("wall_seconds", .double)
                t.column("user_seconds", .double)
                t.column("system_seconds", .double)
                t.column("peak_rss_bytes", .integer)
                t.column("error", .text)
                t.column("executor", .text)
                t.column("external_id", .text)
            }
            // Claiming: per queue, the best priority first, then the oldest. It also serves
            // counts by state, the running jobs of a queue and the skip-scan over queue names;
            // not_before rides along so the due check needs no table lookup.
            try db.execute(sql: "CREATE INDEX job_claim ON job(state, queue, priority DESC, id, not_before)")
            // Retries coming due, and the next due date to sleep until.
            try db.execute(sql: "CREATE INDEX job_due ON job(state, not_before)")
            // Unique keys hold only while a job with the key may still run.
            try db.execute(sql: """
                CREATE UNIQUE INDEX job_unique_key ON job(unique_key)
                WHERE unique_key IS NOT NULL AND state IN ('waiting', 'queued', 'running', 'failed')
                """)
            try db.execute(sql: "CREATE INDEX job_finished ON job(finished_at) WHERE finished_at IS NOT NULL")
            try db.execute(sql: "CREATE INDEX job_schedule ON job(schedule_name, state) WHERE schedule_name IS NOT NULL")

            try db.create(table: "job_dependency", options: .withoutRowID) { t in
                t.column("job_id", .integer).notNull().references("job", onDelete: .cascade)
                t.column("depends_on", .integer).notNull().references("job", onDelete: .cascade)
                t.primaryKey(["job_id", "depends_on"])
                t.check(sql: "job_id != depends_on")
            }
            try db.execute(sql: "CREATE INDEX job_dependency_dependants ON job_dependency(depends_on, job_id)")
        }

        migrator.registerMigration("scheduler-2-schedules") { db in
            try db.create(table: "schedule") { t in
                t.primaryKey("name", .text)
                t.column("cron", .text).notNull()
                t.column("time_zone", .text).notNull()
                t.column("overlap", .text).notNull().check(sql: "overlap IN ('allow', 'forbid', 'replace')")
                t.column("catch_up", .text).notNull().check(sql: "catch_up IN ('none', 'once')")
                t.column("deadline_seconds", .double)
                t.column("jitter_seconds", .double)
                t.column("argv", .jsonText).notNull()
                t.column("environment", .jsonText).notNull().defaults(to: "{}")
                t.column("working_directory", .text)
                t.column("queue", .text).notNull()
                t.column("priority", .integer).notNull().defaults(to: 0)
                t.column("timeout_seconds", .double)
                t.column("max_attempts", .integer).notNull()
                t.column("labels", .jsonText).notNull().defaults(to: "{}")
                t.column("suspended", .boolean).notNull().defaults(to: false)
                t.column("last_fire_at", .datetime)
                t.column("last_outcome", .text)
                t.column("last_job_id", .integer)
                t.column("next_fire_at", .datetime)
                t.column("created_at", .datetime).notNull()
            }
            try db.execute(sql: "CREATE INDEX schedule_next_fire ON schedule(next_fire_at) WHERE NOT suspended")

            try db.create(table: "schedule_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("schedule_name", .text).notNull().references("schedule", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("scheduled_for", .datetime)
                t.column("kind", .text).notNull().check(sql: """
                    kind IN ('fired', 'skipped-overlap', 'replaced', 'missed-deadline', 'caught-up', 'manual')
                    """)
                // No foreign key to job: pruning old jobs keeps their schedule's history.
                t.column("job_id", .integer)
                t.column("detail", .text)
            }
            try db.execute(sql: "CREATE INDEX schedule_event_history ON schedule_event(schedule_name, id)")
        }
        // A schedule may name the executor of its jobs, as a job may (`job.executor`, set at enqueue).
        migrator.registerMigration("scheduler-3-schedule-executor") { db in
            try db.alter(table: "schedule") { t in
                t.add(column: "executor", .text)
            }
        }
        // Each job names its kind, which picks the handler that runs and records it; a
        // schedule names the kind of the jobs it fires. Rows from before are plain commands
        // here; the modules that own other kinds backfill theirs in their own migrations.
        migrator.registerMigration("scheduler-4-job-kind") { db in
            try db.alter(table: "job") { t in
                t.add(column: "kind", .text).notNull().defaults(to: "command")
            }
            try db.alter(table: "schedule") { t in
                t.add(column: "kind", .text).notNull().defaults(to: "command")
            }
        }
        // Whose work a job is (a participant, later a team): ready jobs of equal priority
        // take turns by it, so fifty jobs of one share do not hold back the first of another.
        // Null for the host's own jobs, which keep their place.
        migrator.registerMigration("scheduler-5-job-share") { db in
            try db.alter(table: "job") { t in
                t.add(column: "share_key", .text)
            }
            // The claim asks per queue whether any ready job has a share: one seek here.
            try db.execute(sql: "CREATE INDEX job_queued_shared ON job(queue) WHERE state = 'queued' AND share_key IS NOT NULL")
            try db.execute(sql: "CREATE INDEX job_running_share ON job(share_key) WHERE state = 'running' AND share_key IS NOT NULL")
            try db.execute(sql: "CREATE INDEX job_share_started ON job(share_key, started_at) WHERE share_key IS NOT NULL")
        }
        // The transactional outbox: what a person might act on, written with the change.
        migrator.registerMigration("scheduler-6-events") { db in
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("competition", .text)
                t.column("participant_uid", .integer)
                t.column("message", .text).notNull()
                t.column("data", .jsonText).notNull().defaults(to: "{}")
            }
            try db.create(index: "event_participant", on: "event", columns: ["participant_uid", "id"])
            try db.create(index: "event_competition", on: "event", columns: ["competition", "id"])
        }
    }
}
