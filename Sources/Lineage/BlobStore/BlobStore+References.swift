import Foundation
import GRDB

extension BlobStore {
    /// Every digest the lineage records keep alive: the digests in the tables and, for the
    /// ones that are tree manifests, every file they list. This is what `verify` checks for
    /// and what `garbageCollect` must keep. Blobs stored after it was read are protected
    /// by the collector's grace period, not by this set.
    public func referencedDigests(_ db: Database) throws -> Set<Digest> {
        let roots = try Digest.fetchSet(db, sql: """
            SELECT root_digest FROM lineage_dataset_version
            UNION SELECT digest FROM lineage_code_bundle
            UNION SELECT digest FROM lineage_environment
            UNION SELECT digest FROM lineage_model
            UNION SELECT digest FROM lineage_artifact
            """)
        var referenced = roots
        for root in roots where isTreeManifest(root) {
            guard let manifest = try? TreeManifest(decoding: read(root)) else { continue }
            for case .file(let digest, _, _) in manifest.entries.map(\.kind) {
                referenced.insert(digest)
            }
        }
        return referenced
    }

    /// Looks at the first bytes only, so large model blobs are not read to find out.
    private func isTreeManifest(_ digest: Digest) -> Bool {
        guard let handle = try? open(digest) else { return false }
        defer { try? handle.close() }
        let prefix = Array("{\"entries\":[".utf8)
        return (try? handle.read(upToCount: prefix.count)).map { Array($0) == prefix } ?? false
    }
}
