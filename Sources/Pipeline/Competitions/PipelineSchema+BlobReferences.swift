import Lineage

extension PipelineSchema {
    /// The blobs the pipeline's tables keep alive, for `BlobStore.references`: every published
    /// competition version (its host code, manifest and template), every submission's bundle,
    /// and the trees artifact builds and ingestions recorded (an ingestion's only while its
    /// version's data is kept). `environment_digest` is left out: it names a directory under
    /// `envs/`, not a blob.
    public static let blobReferences: [BlobReferenceQuery] = [
        .init("SELECT root_digest, 'competition ' || competition || '@' || tag FROM competition_version"),
        .init("SELECT bundle_digest, 'the bundle of submission #' || id FROM submission"),
        // A build beyond `artifact.keep` left the disk, and its bytes leave the blob store.
        .init("SELECT digest, 'the artifact build of ' || competition || ' (job ' || job_id || ')' FROM pipeline_artifact WHERE digest IS NOT NULL AND state != 'pruned'"),
        // An ingestion's tree is its version's: once retention pruned that version's data,
        // the ingestion no longer keeps it either.
        .init("""
            SELECT i.root_digest, 'the ingestion of ' || i.dataset || ' (job ' || i.job_id || ')'
            FROM pipeline_ingestion i LEFT JOIN lineage_dataset_version v ON v.id = i.dataset_version_id
            WHERE i.root_digest IS NOT NULL AND v.data_pruned_at IS NULL
            """),
    ]
}
