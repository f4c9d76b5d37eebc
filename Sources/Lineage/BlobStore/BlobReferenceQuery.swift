/// Where records keep blobs alive: SQL whose rows are a digest and words naming the record
/// that holds it ("competition pococha@v1"). Each module that stores digests lists its own
/// queries and the daemon hands the union to `BlobStore.references`, so gc and fsck see
/// every reference without Lineage knowing the other modules' tables.
///
/// List only digests of blobs: a digest that names something else (an environment is a
/// directory under `envs/`) would be reported missing by every fsck.
public struct BlobReferenceQuery: Sendable, Hashable {
    public var sql: String

    public init(_ sql: String) {
        self.sql = sql
    }
}
