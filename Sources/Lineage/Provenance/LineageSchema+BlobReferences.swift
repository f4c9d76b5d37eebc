import GRDB

extension LineageSchema {
    /// The blobs the lineage tables keep alive, for `BlobStore.references`. Environments are
    /// left out: their digests name directories under `envs/`, not blobs. Scores hold values,
    /// not blobs. A dataset version whose data retention pruned keeps its record but not its
    /// blobs (`prunedDatasetVersions` lists them for fsck); so does an artifact whose build
    /// `artifact.keep` removed from disk.
    public static let blobReferences: [BlobReferenceQuery] = [
        .init("""
            SELECT v.root_digest, 'dataset ' || d.name || '@' || v.tag
            FROM lineage_dataset_version v JOIN lineage_dataset d ON d.id = v.dataset_id
            WHERE v.data_pruned_at IS NULL
            """),
        .init("SELECT digest, 'code bundle of ' || submitter FROM lineage_code_bundle"),
        .init("SELECT digest, 'model ' || id FROM lineage_model"),
        .init("SELECT digest, kind || ' artifact ' || id FROM lineage_artifact WHERE data_pruned_at IS NULL"),
    ]
}

extension LineageSchema {
    /// The dataset versions whose data retention pruned, as `NAME@TAG`: fsck says their
    /// blobs are pruned rather than missing.
    public static func prunedDatasetVersions(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT d.name || '@' || v.tag FROM lineage_dataset_version v JOIN lineage_dataset d ON d.id = v.dataset_id
            WHERE v.data_pruned_at IS NOT NULL ORDER BY v.id
            """)
    }
}
