import Lineage

extension PipelineSchema {
    /// The blobs the pipeline's tables keep alive, for `BlobStore.references`: every published
    /// competition version (its host code, manifest and template), every submission's bundle,
    /// and the trees artifact builds and ingestions recorded. `environment_digest` is left
    /// out: it names a directory under `envs/`, not a blob.
    public static let blobReferences: [BlobReferenceQuery] = [
        .init("SELECT root_digest, 'competition ' || competition || '@' || tag FROM competition_version"),
        .init("SELECT bundle_digest, 'the bundle of submission #' || id FROM submission"),
        .init("SELECT digest, 'the artifact build of ' || competition || ' (job ' || job_id || ')' FROM pipeline_artifact WHERE digest IS NOT NULL"),
        .init("SELECT root_digest, 'the ingestion of ' || dataset || ' (job ' || job_id || ')' FROM pipeline_ingestion WHERE root_digest IS NOT NULL"),
    ]
}
