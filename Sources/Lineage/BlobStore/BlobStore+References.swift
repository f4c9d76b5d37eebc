import Foundation
import GRDB
import HekatonHashing
import HekatonSupport

extension BlobStore {
    /// Every digest the `queries` name and, for the ones that are tree manifests, every file
    /// they list. Blobs stored after it was read are protected by the collector's grace
    /// period, not by this set.
    public func references(_ db: Database, from queries: [BlobReferenceQuery]) throws -> BlobReferences {
        var roots: [Digest: String] = [:]
        for query in queries {
            for row in try Row.fetchAll(db, sql: query.sql) {
                guard let text = row[0] as String? else { continue }
                let record = row[1] as String? ?? "a record"
                guard let digest = Digest(text) else {
                    throw LineageError(.invalidDigest, "\(record) references '\(text)', which is not a digest; the database is damaged, so gc and fsck cannot trust it (query: \(query.sql))")
                }
                if roots[digest] == nil { roots[digest] = record }
            }
        }
        var references = BlobReferences()
        let snapshot = TreeSnapshot(store: self)
        for (root, record) in roots.sorted(by: { $0.key < $1.key }) {
            references.add(root, .init(record: record))
            do {
                guard let manifest = try treeManifest(root, snapshot) else { continue }
                for entry in manifest.entries {
                    if case .file(let digest, _, _) = entry.kind { references.add(digest, .init(record: record, path: entry.path)) }
                }
            } catch let error as LineageError {
                // Bytes that cannot be read are as lost as bytes that changed.
                let code: LineageError.Code = error.isStorageDamage ? error.code : .corruptBlob
                references.addUnreadable(LineageError(code, "\(record): \(error.message)", path: error.path))
            }
        }
        return references
    }

    /// The manifest `root` holds, or nil when it is a plain blob. Either is checked against
    /// its digest: a damaged manifest must not pass for a plain blob whose files need no keeping.
    private func treeManifest(_ root: Digest, _ snapshot: TreeSnapshot) throws -> TreeManifest? {
        guard contains(root) else { throw missingBlob(root) }
        if looksLikeTreeManifest(root) {
            do { return try snapshot.manifest(stored: root) } catch let error as LineageError where error.code == .invalidManifest {
                return nil  // intact, and only looks like a manifest
            }
        }
        let file = try LineageFile.open(path(for: root), .readOnly)
        defer { file.close() }
        let (hex, _) = try ChunkBuffer.with { try file.hashToEnd(buffer: $0) }
        let actual = Digest(computed: hex)
        guard actual == root else { throw corruptBlob(root, hashesTo: actual) }
        return nil
    }

    /// Looks at the first bytes only, so large blobs are not read to find out.
    private func looksLikeTreeManifest(_ digest: Digest) -> Bool {
        guard let handle = try? open(digest) else { return false }
        defer { try? handle.close() }
        let prefix = Array("{\"entries\":[".utf8)
        return (try? handle.read(upToCount: prefix.count)).map { Array($0) == prefix } ?? false
    }
}
