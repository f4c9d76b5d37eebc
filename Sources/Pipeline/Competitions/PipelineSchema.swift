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
    }
}
