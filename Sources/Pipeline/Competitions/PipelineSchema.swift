import GRDB

/// Competitions and submissions, in the daemon's one database beside the queue and lineage.
public enum PipelineSchema {
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("pipeline-1-competitions") { db in
            try db.create(table: "competition_version") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("competition", .text).notNull()
                t.column("tag", .text).notNull()
                // The root digest of the published directory's tree manifest.
                t.column("root_digest", .text).notNull()
                t.column("manifest", .jsonText).notNull()
                t.column("source", .text).notNull()
                t.column("published_by", .integer).notNull()
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["competition", "tag"])
            }
            try db.create(index: "competition_version_latest", on: "competition_version", columns: ["competition", "id"])
        }
        migrator.registerMigration("pipeline-2-submissions") { db in
            try db.create(table: "submission") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("competition", .text).notNull()
                t.column("competition_version_id", .integer).notNull().references("competition_version")
                t.column("dataset_version_id", .integer).notNull()
                t.column("participant_uid", .integer).notNull()
                t.column("participant", .text).notNull()
                t.column("tag", .text)
                t.column("bundle_digest", .text).notNull()
                t.column("environment_digest", .text).notNull()
                // queued, building, training, predicting, scoring, scored, failed, cancelled
                t.column("state", .text).notNull()
                t.column("failed_stage", .text)
                t.column("error", .text)
                t.column("score", .double)
                t.column("model_id", .integer)
                t.column("submitted_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("build_job", .integer)
                t.column("train_job", .integer)
                t.column("predict_job", .integer)
                t.column("score_job", .integer)
            }
            try db.create(index: "submission_by_competition", on: "submission", columns: ["competition", "state", "score"])
            try db.create(index: "submission_by_participant", on: "submission", columns: ["participant_uid", "submitted_at"])
        }
    }
}
