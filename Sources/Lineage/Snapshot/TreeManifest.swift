import Foundation
import HekatonSupport

/// The content of a directory tree, by path: the identity of a dataset version or a code
/// bundle. Its canonical encoding is stored as a blob, and that blob's digest is the tree's
/// root digest, so equal trees have equal roots whatever order the disk listed them in.
///
/// Paths are relative, `/`-separated and sorted by their UTF-8 bytes; every parent of an
/// entry is itself a directory entry; symbolic links never resolve outside the tree. Both
/// constructors enforce this, so a manifest is always safe to materialize.
public struct TreeManifest: Sendable, Hashable {
    public static let format = "hekaton.tree.v1"

    public struct Entry: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// Only the executable bit is kept (as Git does): a digest should not depend on
            /// the umask of whoever copied the data.
            case file(digest: Digest, size: Int64, executable: Bool)
            case directory
            /// The link's target text, as `readlink` returned it.
            case symlink(target: String)
        }

        public var path: String
        public var kind: Kind

        public init(path: String, kind: Kind) {
            self.path = path
            self.kind = kind
        }

        /// `0644` or `0755` for files, as recorded in the manifest.
        public var mode: String? {
            guard case .file(_, _, let executable) = kind else { return nil }
            return executable ? "0755" : "0644"
        }
    }

    public let entries: [Entry]
    public let rootDigest: Digest
    public let totalSize: Int64
    public let fileCount: Int

    /// Sorts and checks `entries`.
    public init(entries: [Entry]) throws {
        let sorted = entries.sorted { Self.precedesInByteOrder($0.path, $1.path) }
        try Self.validate(sorted)
        self.entries = sorted
        var totalSize: Int64 = 0
        var fileCount = 0
        for case .file(_, let size, _) in sorted.map(\.kind) {
            totalSize += size
            fileCount += 1
        }
        self.totalSize = totalSize
        self.fileCount = fileCount
        rootDigest = Digest.of(Self.encode(sorted))
    }

    /// Reads a stored manifest. Only the canonical encoding is accepted, so the digest of
    /// `data` is always the manifest's root digest.
    public init(decoding data: Data) throws {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch {
            throw LineageError(.invalidManifest, "stored manifest does not decode: \(error)")
        }
        guard wire.format == Self.format else {
            throw LineageError(.invalidManifest, "manifest format '\(wire.format)' is not '\(Self.format)'; this hekaton is too old to read it")
        }
        try self.init(entries: wire.entries.map { try $0.entry() })
        guard Data(Self.encode(entries)) == data else {
            throw LineageError(.invalidManifest, "stored manifest is not in canonical form")
        }
    }

    /// The canonical bytes whose SHA-256 is `rootDigest`.
    public func encoded() -> Data {
        Data(Self.encode(entries))
    }

    private static func encode(_ entries: [Entry]) -> [UInt8] {
        var json = CanonicalJSON()
        json.reserveCapacity(entries.count * 160)
        json.raw("{")
        json.key("entries")
        json.raw("[")
        for (index, entry) in entries.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{")
            switch entry.kind {
            case .file(let digest, let size, _):
                json.key("digest"); json.string(digest.description); json.raw(",")
                json.key("mode"); json.string(entry.mode!); json.raw(",")
                json.key("path"); json.string(entry.path); json.raw(",")
                json.key("size"); json.integer(size); json.raw(",")
                json.key("type"); json.string("file")
            case .directory:
                json.key("path"); json.string(entry.path); json.raw(",")
                json.key("type"); json.string("directory")
            case .symlink(let target):
                json.key("path"); json.string(entry.path); json.raw(",")
                json.key("target"); json.string(target); json.raw(",")
                json.key("type"); json.string("symlink")
            }
            json.raw("}")
        }
        json.raw("],")
        json.key("format")
        json.string(format)
        json.raw("}")
        return json.bytes
    }

    private static func validate(_ sorted: [Entry]) throws {
        var directories: Set<String> = []
        var previous: String?
        for entry in sorted {
            guard isCleanRelativePath(entry.path) else {
                throw LineageError(.invalidManifest, "manifest path '\(entry.path)' is not a clean relative path")
            }
            // Bytes, not `==`: Swift calls two spellings of "é" equal, Linux calls them two files.
            guard previous.map({ !$0.utf8.elementsEqual(entry.path.utf8) }) ?? true else {
                throw LineageError(.invalidManifest, "manifest lists '\(entry.path)' twice")
            }
            previous = entry.path
            if let slash = entry.path.utf8.lastIndex(of: UInt8(ascii: "/")) {
                let parent = String(entry.path[..<slash])
                guard directories.contains(parent) else {
                    throw LineageError(.invalidManifest, "manifest lists '\(entry.path)' without its directory '\(parent)'")
                }
            }
            if case .directory = entry.kind { directories.insert(entry.path) }
        }
        if let escape = SymlinkContainment(entries: sorted).firstEscape() {
            throw LineageError(.symlinkOutsideTree, "manifest link '\(escape.path)' points to '\(escape.target)', outside the tree")
        }
    }
}

extension TreeManifest {
    /// Byte-wise order of UTF-8 paths. Swift's `<` on strings compares normalized Unicode,
    /// which is not byte order; `memcmp` is, and it is what sorting large trees needs.
    static func precedesInByteOrder(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    /// Non-empty, relative, no empty, `.` or `..` component, no NUL: a path that stays
    /// inside the directory it is materialized into.
    static func isCleanRelativePath(_ path: String) -> Bool {
        var length = 0
        var leadingDots = 0
        func componentIsClean() -> Bool {
            length > 0 && !(length == leadingDots && leadingDots <= 2)
        }
        for byte in path.utf8 {
            switch byte {
            case 0:
                return false
            case UInt8(ascii: "/"):
                guard componentIsClean() else { return false }
                length = 0
                leadingDots = 0
            default:
                if byte == UInt8(ascii: "."), leadingDots == length { leadingDots += 1 }
                length += 1
            }
        }
        return componentIsClean()
    }
}

extension TreeManifest {
    /// The JSON shape of a manifest, for decoding only; encoding is canonical and by hand.
    private struct Wire: Decodable {
        struct Entry: Decodable {
            var path: String
            var type: String
            var digest: Digest?
            var mode: String?
            var size: Int64?
            var target: String?

            func entry() throws -> TreeManifest.Entry {
                switch type {
                case "file":
                    guard let digest, let size, size >= 0, let mode, mode == "0644" || mode == "0755" else {
                        throw LineageError(.invalidManifest, "manifest file '\(path)' lacks a digest, size or mode")
                    }
                    return .init(path: path, kind: .file(digest: digest, size: size, executable: mode == "0755"))
                case "directory":
                    return .init(path: path, kind: .directory)
                case "symlink":
                    guard let target else {
                        throw LineageError(.invalidManifest, "manifest link '\(path)' lacks a target")
                    }
                    return .init(path: path, kind: .symlink(target: target))
                default:
                    throw LineageError(.invalidManifest, "manifest entry '\(path)' has unknown type '\(type)'")
                }
            }
        }

        var entries: [Entry]
        var format: String
    }
}
