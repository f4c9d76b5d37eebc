import Foundation
import GRDB

/// The identity of one node of the provenance graph: a kind and the row id in its table.
public enum LineageNode: Hashable, Comparable, Sendable, CustomStringConvertible {
    case datasetVersion(Int64)
    case codeBundle(Int64)
    case environment(Int64)
    case run(Int64)
    case model(Int64)
    case score(Int64)
    case artifact(Int64)

    /// The names stored in `node_kind` columns.
    public enum Kind: String, Sendable, Codable, CaseIterable, Comparable, DatabaseValueConvertible {
        case datasetVersion = "dataset_version"
        case codeBundle = "code_bundle"
        case environment
        case run
        case model
        case score
        case artifact

        var table: String { "lineage_" + rawValue }

        /// Words for messages and labels.
        public var displayName: String { rawValue.replacingOccurrences(of: "_", with: " ") }

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public init(kind: Kind, id: Int64) {
        self = switch kind {
        case .datasetVersion: .datasetVersion(id)
        case .codeBundle: .codeBundle(id)
        case .environment: .environment(id)
        case .run: .run(id)
        case .model: .model(id)
        case .score: .score(id)
        case .artifact: .artifact(id)
        }
    }

    public var kind: Kind {
        switch self {
        case .datasetVersion: .datasetVersion
        case .codeBundle: .codeBundle
        case .environment: .environment
        case .run: .run
        case .model: .model
        case .score: .score
        case .artifact: .artifact
        }
    }

    public var id: Int64 {
        switch self {
        case .datasetVersion(let id), .codeBundle(let id), .environment(let id), .run(let id),
             .model(let id), .score(let id), .artifact(let id):
            id
        }
    }

    /// `model#7`: stable, and distinct from the `model:PREFIX` references users type.
    public var description: String { "\(kind.rawValue)#\(id)" }

    public static func < (lhs: LineageNode, rhs: LineageNode) -> Bool {
        (lhs.kind, lhs.id) < (rhs.kind, rhs.id)
    }

    func exists(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(kind.table) WHERE id = ?)", arguments: [id]) ?? false
    }

    func requireExists(_ db: Database) throws {
        guard try exists(db) else {
            throw LineageError(.notFound, "\(kind.displayName) \(id) does not exist")
        }
    }
}

extension LineageNode: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: "#")
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let id = Int64(parts[1]) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a lineage node such as 'model#7'"))
        }
        self.init(kind: kind, id: id)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
