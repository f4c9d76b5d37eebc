import Foundation
import GRDB
import Notifications
import Lineage
import Pipeline
import Scheduler

/// The daemon's one SQLite database: queue, schedules and lineage in one file, so that a
/// job's completion and the records it produced commit in one transaction.
public enum DaemonDatabase {
    public static let fileName = "hekaton.sqlite3"

    /// Every module's migrations, in dependency order. Named migrations are never edited
    /// once they have landed; a change is a new migration.
    public static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        LineageSchema.registerMigrations(in: &migrator)
        PipelineSchema.registerMigrations(in: &migrator)
        WebhookSchema.registerMigrations(in: &migrator)
        migrator.registerMigration("hekatond-v1-meta") { db in
            try db.create(table: "daemon_meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        return migrator
    }

    /// Every module's blob references: what gc keeps and fsck looks for.
    public static let blobReferences = LineageSchema.blobReferences + PipelineSchema.blobReferences

    /// Opens (creating if needed), checks and migrates the database in WAL mode.
    ///
    /// `synchronous=NORMAL` in WAL mode survives a killed process, which is the failure the
    /// daemon must survive; `FULL` would also survive a power cut at about a seventh of the
    /// commit rate. Refuses a damaged database, a new one beside a blob store that holds
    /// blobs, and one that a newer hekatond has migrated further.
    public static func open(stateDirectory: String, readOnly: Bool = false) throws(DaemonError) -> DatabasePool {
        let path = stateDirectory + "/" + fileName
        if isNewFile(path), isNewFile(path + "-wal") {
            try refuseNewDatabaseBesideBlobs(path: path, stateDirectory: stateDirectory)
        } else {
            try checkIntegrity(path: path)
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw damaged(path, error) ?? DaemonError(.database, "cannot open the database \(path): \(error)")
        }
        let migrator = migrator()
        do {
            if try pool.read({ db in try migrator.appliedIdentifiers(db).isEmpty }) {
                try refuseNewDatabaseBesideBlobs(path: path, stateDirectory: stateDirectory)
            }
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                let unknown = try pool.read { db in
                    try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                }
                throw DaemonError(.databaseTooNew,
                                  "the database \(path) was written by a newer hekatond (it has migrations this version does not know: \(unknown.joined(separator: ", "))); run a newer hekatond, or start this one with another --state-dir")
            }
            if !readOnly { try migrator.migrate(pool) }
        } catch let error as DaemonError {
            throw error
        } catch {
            throw damaged(path, error) ?? DaemonError(.database, "cannot migrate the database \(path): \(error)")
        }
        return pool
    }

    /// Size of the database and its write-ahead log on disk.
    public static func sizeOnDisk(stateDirectory: String) -> Int64 {
        let base = stateDirectory + "/" + fileName
        return [base, base + "-wal", base + "-shm"].reduce(into: Int64(0)) { total, path in
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            total += size
        }
    }
}
