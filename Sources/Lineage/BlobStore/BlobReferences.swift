/// Every blob the records keep alive, each with the record that keeps it: what
/// `BlobStore.verify` checks for and what `BlobStore.garbageCollect` must keep.
public struct BlobReferences: Sendable {
    /// Why a blob is kept: a record, and for the files of a tree their path in it.
    public struct Owner: Sendable, Hashable, CustomStringConvertible {
        public var record: String
        public var path: String?

        public var description: String { path.map { "file \($0) of \(record)" } ?? record }
    }

    /// The first owner found for each referenced digest.
    public private(set) var owners: [Digest: Owner] = [:]
    /// Referenced roots that could not be read as a tree or a plain blob (missing, or
    /// damaged), as storage errors naming them: the blobs they list are unknown, so
    /// nothing may be collected.
    public private(set) var unreadableRoots: [LineageError] = []

    public init() {}

    public var digests: Set<Digest> { Set(owners.keys) }

    mutating func add(_ digest: Digest, _ owner: Owner) {
        if owners[digest] == nil { owners[digest] = owner }
    }

    mutating func addUnreadable(_ error: LineageError) {
        unreadableRoots.append(error)
    }

    /// Throws when some referenced tree could not be read: collecting then could remove the
    /// files it lists.
    public func requireComplete() throws {
        guard let first = unreadableRoots.first else { return }
        throw LineageError(first.code, "gc refused: \(unreadableRoots.count) referenced blob(s) cannot be read, so the files they may list cannot be told from garbage (first: \(first.message)). Restore them from a backup (see 'hekatonctl fsck'), then run gc again", path: first.path)
    }
}
