extension LineageSchema {
    /// The blobs the lineage tables keep alive, for `BlobStore.references`. Environments are
    /// left out: their digests name directories under `envs/`, not blobs. Scores hold values,
    /// not blobs.
    public static let blobReferences: [BlobReferenceQuery] = [
        .init("""
            SELECT v.root_digest, 'dataset ' || d.name || '@' || v.tag
            FROM lineage_dataset_version v JOIN lineage_dataset d ON d.id = v.dataset_id
            """),
        .init("SELECT digest, 'code bundle of ' || submitter FROM lineage_code_bundle"),
        .init("SELECT digest, 'model ' || id FROM lineage_model"),
        .init("SELECT digest, kind || ' artifact ' || id FROM lineage_artifact"),
    ]
}
