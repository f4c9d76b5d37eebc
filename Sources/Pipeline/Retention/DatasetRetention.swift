import Foundation
import GRDB
import Lineage

/// Which dataset versions' data may go: those older than the newest `retention.dataset_versions`
/// of their dataset that nothing live still needs. Their records and digests stay (lineage
/// still names the exact bytes a model was trained on); `data_pruned_at` is set, so gc no
/// longer keeps their blobs (files they share with kept versions stay, kept by those).
public enum DatasetRetention {
    /// The ids of versions whose data may be pruned now, oldest first.
    public static func prunable(defaults: RetentionPolicy, _ db: Database) throws -> [Int64] {
        let keepCounts = try keepCounts(defaults: defaults, db)
        let needed = try neededVersions(db)
        var prunable: [Int64] = []
        for dataset in try Dataset.fetchAll(db) {
            // 0 keeps every version's data.
            let keep = keepCounts[dataset.name] ?? defaults.datasetVersions
            guard keep > 0 else { continue }
            let versions = try DatasetVersion.versions(of: dataset.name, db)
            // The newest `keep`, the latest always among them.
            for version in versions.dropLast(keep) where version.dataPrunedAt == nil && !needed.contains(version.id!) {
                prunable.append(version.id!)
            }
        }
        return prunable.sorted()
    }

    /// Marks `ids` pruned at `now`; returns the versions marked, as `NAME@TAG`.
    @discardableResult
    public static func markPruned(_ ids: [Int64], at now: Date, _ db: Database) throws -> [String] {
        var marked: [String] = []
        for id in ids {
            guard var version = try DatasetVersion.fetchOne(db, key: id), version.dataPrunedAt == nil else { continue }
            version.dataPrunedAt = now
            try version.update(db)
            let name = try Dataset.fetchOne(db, key: version.datasetID)?.name ?? "#\(version.datasetID)"
            marked.append("\(name)@\(version.tag)")
        }
        return marked
    }

    /// Each dataset's count of versions to keep: a dataset several competitions use keeps
    /// what the most careful of them asks (any 0 keeps all), so one competition's setting
    /// never takes data another still wants.
    static func keepCounts(defaults: RetentionPolicy, _ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for version in try CompetitionVersion.latestOfEach(db) {
            let manifest = version.manifest
            let keep = defaults.applying(manifest.retention).datasetVersions
            let name = manifest.dataset.name
            if let earlier = counts[name] {
                counts[name] = earlier == 0 || keep == 0 ? 0 : max(earlier, keep)
            } else {
                counts[name] = keep
            }
        }
        return counts
    }

    /// Versions something live still needs, whatever their age: the data behind each
    /// competition's production model (and so behind a rollback's next step), the data of
    /// the artifact builds still kept on disk, and the data of every submission that may
    /// still run (a queued reproduction, retrain, rescore or evaluation among them).
    static func neededVersions(_ db: Database) throws -> Set<Int64> {
        var needed = Set(try Int64.fetchAll(db, sql: """
            SELECT dataset_version_id FROM submission WHERE state NOT IN ('scored', 'failed', 'cancelled')
            """))
        needed.formUnion(try Int64.fetchAll(db, sql: """
            SELECT dataset_version_id FROM pipeline_artifact WHERE state = 'succeeded'
            """))
        // Production now: the latest promotion of each competition names its model and the
        // submission that trained it; a model may also have been trained again under another
        // submission (a reproduction), whose data is the same version or another one.
        needed.formUnion(try Int64.fetchAll(db, sql: """
            SELECT s.dataset_version_id FROM pipeline_promotion p JOIN submission s
              ON s.id = p.submission_id OR (s.model_id = p.model_id AND s.kind IN ('submission', 'retrain', 'reproduce'))
            WHERE p.id IN (SELECT MAX(id) FROM pipeline_promotion GROUP BY competition)
            """))
        return needed
    }
}
