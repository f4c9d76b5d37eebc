import GRDB

/// A node as a person types it: `dataset:NAME@TAG` (latest version without `@TAG`),
/// `model:DIGEST-PREFIX`, `artifact:ID`, `run:ID`, `score:ID`.
public enum LineageReference: Sendable, Hashable, CustomStringConvertible {
    case dataset(name: String, tag: String?)
    case model(digestPrefix: String)
    case artifact(Int64)
    case run(Int64)
    case score(Int64)

    /// Digest prefixes shorter than this match too much to be meant.
    public static let minimumPrefixLength = 4

    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw Self.invalid(text, "it has no kind")
        }
        let kind = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        switch kind {
        case "dataset":
            let parts = value.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            try LineageName.validate(parts[0], as: .datasetName)
            if parts.count == 2 { try LineageName.validate(parts[1], as: .tag) }
            self = .dataset(name: parts[0], tag: parts.count == 2 ? parts[1] : nil)
        case "model":
            let hex = value.hasPrefix("sha256:") ? String(value.dropFirst("sha256:".count)) : value
            guard hex.utf8.count >= Self.minimumPrefixLength, hex.utf8.count <= Digest.hexLength, hex.utf8.allSatisfy(\.isHexDigit) else {
                throw Self.invalid(text, "a model is named by at least \(Self.minimumPrefixLength) hex digits of its digest")
            }
            self = .model(digestPrefix: hex.lowercased())
        case "artifact", "run", "score":
            guard let id = Int64(value), id > 0 else { throw Self.invalid(text, "\(kind) is named by its number") }
            self = kind == "artifact" ? .artifact(id) : kind == "run" ? .run(id) : .score(id)
        default:
            throw Self.invalid(text, "'\(kind)' is not one of dataset, model, artifact, run, score")
        }
    }

    public var description: String {
        switch self {
        case .dataset(let name, let tag): "dataset:\(name)" + (tag.map { "@\($0)" } ?? "")
        case .model(let prefix): "model:\(prefix)"
        case .artifact(let id): "artifact:\(id)"
        case .run(let id): "run:\(id)"
        case .score(let id): "score:\(id)"
        }
    }

    /// The node this reference names. A model prefix matching several different digests is
    /// a `.conflict` listing them; several models with the same digest resolve to the newest.
    public func resolve(_ db: Database) throws -> LineageNode {
        let node: LineageNode
        switch self {
        case .dataset(let name, let tag):
            guard let version = try DatasetVersion.find(dataset: name, tag: tag, db) else {
                throw LineageError(.notFound, tag == nil ? "dataset '\(name)' has no versions; see 'hekatonctl dataset list'" : "dataset '\(name)' has no version tagged '\(tag!)'; see 'hekatonctl dataset show \(name)'")
            }
            return version.node
        case .model(let prefix):
            let models = try Model.fetchAll(db, sql: "SELECT * FROM lineage_model WHERE digest >= ? AND digest < ? ORDER BY id DESC",
                                            arguments: ["sha256:" + prefix, "sha256:" + prefix + "g"])
            let digests = Set(models.map(\.digest))
            guard let newest = models.first else {
                throw LineageError(.notFound, "no model has a digest starting with \(prefix)")
            }
            guard digests.count == 1 else {
                let listed = digests.sorted().prefix(5).map(\.short).joined(separator: ", ")
                throw LineageError(.conflict, "\(digests.count) models have digests starting with \(prefix) (\(listed)); give more digits")
            }
            return newest.node
        case .artifact(let id): node = .artifact(id)
        case .run(let id): node = .run(id)
        case .score(let id): node = .score(id)
        }
        try node.requireExists(db)
        return node
    }

    private static func invalid(_ text: String, _ reason: String) -> LineageError {
        LineageError(.invalidReference, "'\(text)' is not a lineage reference: \(reason); use dataset:NAME[@TAG], model:DIGEST-PREFIX, artifact:ID, run:ID or score:ID")
    }
}
