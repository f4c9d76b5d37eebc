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
        migrator.registerMigration("pipeline-3-automation") { db in
            // A retrain or an evaluation of the production model is a submission row too, so
            // that the same stages, sandbox and lineage serve it; `kind` keeps them off the
            // leaderboard and out of the participant's daily limit.
            try db.alter(table: "submission") { t in
                t.add(column: "kind", .text).notNull().defaults(to: "submission")
                t.add(column: "round_id", .integer)
                t.add(column: "source_submission_id", .integer)
                // "<source submission>@<dataset version>": a champion is trained on a version once.
                t.add(column: "retrain_key", .text)
            }
            try db.create(index: "submission_retrain_key", on: "submission", columns: ["retrain_key"], unique: true)
            try db.create(table: "pipeline_ingestion") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("dataset", .text).notNull()
                t.column("competition", .text).notNull()
                t.column("job_id", .integer).notNull().unique()
                // new-version, unchanged, failed
                t.column("outcome", .text).notNull()
                t.column("dataset_version_id", .integer)
                t.column("tag", .text)
                t.column("root_digest", .text)
                t.column("files", .integer)
                t.column("bytes", .integer)
                t.column("error", .text)
                t.column("logical_time", .datetime)
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "pipeline_ingestion_by_dataset", on: "pipeline_ingestion", columns: ["dataset", "id"])
            try db.create(table: "pipeline_round") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("competition", .text).notNull()
                t.column("dataset_version_id", .integer).notNull()
                // ingest, schedule, registration
                t.column("trigger", .text).notNull()
                t.column("unique_key", .text).notNull().unique()
                // running, promoted, kept, failed, skipped
                t.column("state", .text).notNull()
                t.column("decision", .text)
                t.column("production_model_id", .integer)
                t.column("production_score", .double)
                t.column("best_model_id", .integer)
                t.column("best_score", .double)
                t.column("created_at", .datetime).notNull()
                t.column("decided_at", .datetime)
            }
            try db.create(index: "pipeline_round_by_competition", on: "pipeline_round", columns: ["competition", "id"])
            try db.create(table: "pipeline_promotion") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("competition", .text).notNull()
                t.column("model_id", .integer).notNull()
                t.column("submission_id", .integer).notNull()
                t.column("round_id", .integer)
                // initial, automatic, promote, rollback
                t.column("kind", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("actor_uid", .integer)
                t.column("reason", .text).notNull()
                t.column("score", .double)
                t.column("replaces_id", .integer)
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "pipeline_promotion_by_competition", on: "pipeline_promotion", columns: ["competition", "id"])
            try db.create(table: "pipeline_artifact") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("competition", .text).notNull()
                t.column("job_id", .integer).notNull().unique()
                t.column("model_id", .integer).notNull()
                t.column("submission_id", .integer).notNull()
                t.column("dataset_version_id", .integer).notNull()
                t.column("lineage_artifact_id", .integer)
                t.column("digest", .text)
                t.column("oci_artifact_id", .integer)
                t.column("oci_manifest_digest", .text)
                t.column("oci_reference", .text)
                // succeeded, failed, pruned
                t.column("state", .text).notNull()
                t.column("error", .text)
                t.column("logical_time", .datetime)
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "pipeline_artifact_by_competition", on: "pipeline_artifact", columns: ["competition", "id"])
        }
        // Jobs and schedules from before kinds (`scheduler-4-job-kind`) were told apart by the
        // labels the pipeline gave them, as its executor did: a task first, then a stage of a
        // submission; anything else stays a plain command.
        migrator.registerMigration("pipeline-4-job-kinds") { db in
            for table in ["job", "schedule"] {
                try db.execute(sql: """
                    UPDATE \(table) SET kind = json_extract(labels, '$."hekaton.task"')
                    WHERE kind = 'command' AND json_extract(labels, '$."hekaton.task"') IN ('ingest', 'retrain', 'artifact')
                    """)
                try db.execute(sql: """
                    UPDATE \(table) SET kind = 'stage'
                    WHERE kind = 'command' AND json_extract(labels, '$."hekaton.stage"') IN ('build', 'train', 'predict', 'score')
                      AND json_extract(labels, '$."hekaton.submission"') GLOB '[0-9]*'
                      AND json_extract(labels, '$."hekaton.submission"') NOT GLOB '*[^0-9]*'
                    """)
            }
        }
        // A competition closed by hand (`hekatonctl competition close`): it stays closed
        // across new versions of its directory.
        migrator.registerMigration("pipeline-5-closures") { db in
            try db.create(table: "competition_closure") { t in
                t.primaryKey("competition", .text)
                t.column("closed_at", .datetime).notNull()
                t.column("closed_by", .integer).notNull()
            }
        }
        // Teams: a participant belongs to at most one team per competition.
        migrator.registerMigration("pipeline-6-teams") { db in
            try db.create(table: "competition_team_member") { t in
                t.column("competition", .text).notNull()
                t.column("team", .text).notNull()
                t.column("member", .text).notNull()
                t.column("member_uid", .integer).notNull()
                t.column("added_at", .datetime).notNull()
                t.primaryKey(["competition", "member_uid"])
            }
            try db.create(index: "competition_team_members", on: "competition_team_member", columns: ["competition", "team"])
        }
        // With metric.splits: each submission's public and private score.
        migrator.registerMigration("pipeline-7-split-scores") { db in
            try db.alter(table: "submission") { t in
                t.add(column: "public_score", .double)
                t.add(column: "private_score", .double)
            }
        }
        // Final selections: the submissions an entrant chose for the private board.
        migrator.registerMigration("pipeline-8-selections") { db in
            try db.create(table: "competition_selection") { t in
                t.primaryKey("submission_id", .integer).references("submission", onDelete: .cascade)
                t.column("competition", .text).notNull()
                t.column("selected_by", .integer).notNull()
                t.column("selected_at", .datetime).notNull()
            }
            try db.create(index: "competition_selections", on: "competition_selection", columns: ["competition"])
        }
        // Artifact builds beyond `artifact.keep` were removed from disk but their blobs stayed
        // referenced forever; now their lineage artifacts are marked, and gc frees the bytes.
        migrator.registerMigration("pipeline-9-pruned-artifact-data") { db in
            try db.execute(sql: """
                UPDATE lineage_artifact SET data_pruned_at = (SELECT b.at FROM pipeline_artifact b
                    WHERE b.state = 'pruned' AND lineage_artifact.id IN (b.lineage_artifact_id, b.oci_artifact_id))
                WHERE data_pruned_at IS NULL AND id IN (
                    SELECT lineage_artifact_id FROM pipeline_artifact WHERE state = 'pruned' AND lineage_artifact_id IS NOT NULL
                    UNION SELECT oci_artifact_id FROM pipeline_artifact WHERE state = 'pruned' AND oci_artifact_id IS NOT NULL)
                """)
        }
        // A competition's own webhooks, from its latest published manifest, secrets read then.
        migrator.registerMigration("pipeline-10-competition-webhooks") { db in
            try db.create(table: "competition_webhook") { t in
                t.column("competition", .text).notNull()
                t.column("name", .text).notNull()
                t.column("definition", .jsonText).notNull()
                t.column("secret", .blob)
                t.column("start_after_event", .integer).notNull()
                t.primaryKey(["competition", "name"])
            }
        }
    }
}
