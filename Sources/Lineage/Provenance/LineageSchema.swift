import GRDB

/// The lineage tables, for the daemon's one `DatabaseMigrator` over its one SQLite file.
///
/// Every table is prefixed `lineage_` because the queue's tables live in the same database.
/// Migrations are named, never edited once released, and written with table and column
/// names rather than record types, so later changes to the types cannot rewrite history.
/// The model follows ML Metadata: runs are executions, the other nodes are artifacts,
/// `lineage_edge` holds its events and `lineage_context` its contexts.
public enum LineageSchema {
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("lineage-1-provenance") { db in
            try db.create(table: "lineage_dataset") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "lineage_dataset_version") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("dataset_id", .integer).notNull().references("lineage_dataset", onDelete: .restrict)
                t.column("tag", .text).notNull()
                t.column("root_digest", .text).notNull().indexed()
                t.column("size", .integer).notNull()
                t.column("file_count", .integer).notNull()
                t.column("source", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["dataset_id", "tag"])
            }
            try db.create(table: "lineage_code_bundle") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("digest", .text).notNull()
                t.column("submitter", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["digest", "submitter"])
            }
            try db.create(table: "lineage_environment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("digest", .text).notNull().unique()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "lineage_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("uuid", .text).notNull().unique()
                t.column("kind", .text).notNull()
                    .check(sql: "kind IN ('ingest', 'build', 'train', 'predict', 'score', 'artifact')")
                // The queue's job row lives in another module's table: no foreign key, so
                // neither module's migrations depend on the other's.
                t.column("job_id", .integer).indexed()
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('running', 'succeeded', 'failed', 'cancelled')")
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
            }
            try db.create(table: "lineage_model") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("digest", .text).notNull().indexed()
                t.column("run_id", .integer).notNull().indexed().references("lineage_run", onDelete: .restrict)
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "lineage_score") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("metric", .text).notNull()
                t.column("value", .double).notNull()
                t.column("model_id", .integer).notNull().indexed().references("lineage_model", onDelete: .restrict)
                t.column("dataset_version_id", .integer).notNull().indexed().references("lineage_dataset_version", onDelete: .restrict)
                t.column("run_id", .integer).notNull().indexed().references("lineage_run", onDelete: .restrict)
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "lineage_artifact") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("digest", .text).notNull().indexed()
                t.column("run_id", .integer).notNull().indexed().references("lineage_run", onDelete: .restrict)
                t.column("created_at", .datetime).notNull()
            }

            // Runs link to the nodes they used (input) and produced (output). The primary
            // key serves "what did this run use/produce", the index "which runs used or
            // produced this node"; both cover their queries, so graph walks never touch
            // the table rows.
            try db.create(table: "lineage_edge", options: .withoutRowID) { t in
                t.column("run_id", .integer).notNull().references("lineage_run", onDelete: .cascade)
                t.column("direction", .text).notNull().check(sql: "direction IN ('input', 'output')")
                t.column("node_kind", .text).notNull().check(sql: "node_kind IN ('dataset_version', 'code_bundle', 'environment', 'model', 'score', 'artifact')")
                t.column("node_id", .integer).notNull()
                t.primaryKey(["run_id", "direction", "node_kind", "node_id"])
            }
            try db.create(index: "lineage_edge_by_node", on: "lineage_edge", columns: ["node_kind", "node_id", "direction", "run_id"])

            try db.create(table: "lineage_context") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull().check(sql: "kind IN ('competition', 'submission')")
                t.column("name", .text).notNull()
                t.column("parent_id", .integer).indexed().references("lineage_context", onDelete: .restrict)
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["kind", "name"])
            }
            try db.create(table: "lineage_context_member", options: .withoutRowID) { t in
                t.column("context_id", .integer).notNull().references("lineage_context", onDelete: .cascade)
                t.column("node_kind", .text).notNull().check(sql: "node_kind IN ('dataset_version', 'code_bundle', 'environment', 'run', 'model', 'score', 'artifact')")
                t.column("node_id", .integer).notNull()
                t.primaryKey(["context_id", "node_kind", "node_id"])
            }
            try db.create(index: "lineage_context_member_by_node", on: "lineage_context_member", columns: ["node_kind", "node_id", "context_id"])
        }
        // Image mode: an environment is a container image, and lineage shows its digest.
        migrator.registerMigration("lineage-2-environment-image") { db in
            try db.alter(table: "lineage_environment") { t in
                t.add(column: "image_digest", .text)
            }
        }
        // Retention: an old dataset version's record and digests stay (lineage still names
        // the exact bytes), its data leaves the blob store once this is set.
        migrator.registerMigration("lineage-3-dataset-data-pruned") { db in
            try db.alter(table: "lineage_dataset_version") { t in
                t.add(column: "data_pruned_at", .datetime)
            }
        }
        // The same for an artifact whose build `artifact.keep` removed from disk.
        migrator.registerMigration("lineage-4-artifact-data-pruned") { db in
            try db.alter(table: "lineage_artifact") { t in
                t.add(column: "data_pruned_at", .datetime)
            }
        }
    }
}
