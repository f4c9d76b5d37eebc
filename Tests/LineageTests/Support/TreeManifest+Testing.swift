@testable import Lineage

extension TreeManifest {
    /// The digest of the file at `path`, nil when the tree holds no file there.
    func digest(of path: String) -> Digest? {
        entries.lazy.compactMap { entry -> Digest? in
            guard entry.path == path, case .file(let digest, _, _) = entry.kind else { return nil }
            return digest
        }.first
    }
}
