import Foundation
import HekatonHashing
import HekatonSupport
import GRDB

/// A SHA-256 content address, written `sha256:` followed by 64 lowercase hex digits.
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public static let algorithm = "sha256"
    static let hexLength = 64

    /// The 64 lowercase hex digits, without the algorithm prefix.
    public let hex: String

    /// Accepts `sha256:<64 hex>`; upper-case hex is folded so one content has one name.
    public init(parsing text: String) throws {
        let prefix = Self.algorithm + ":"
        guard text.hasPrefix(prefix) else {
            throw LineageError(.invalidDigest, "'\(text)' is not a digest: expected 'sha256:' followed by 64 hex digits")
        }
        try self.init(hex: String(text.dropFirst(prefix.count)))
    }

    /// Accepts the 64 hex digits alone, as they appear in blob file names.
    public init(hex: String) throws {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == Self.hexLength, lowered.utf8.allSatisfy(\.isHexDigit) else {
            throw LineageError(.invalidDigest, "'\(hex)' is not a SHA-256 digest: expected 64 hex digits")
        }
        self.hex = lowered
    }

    public init?(_ description: String) {
        guard let digest = try? Digest(parsing: description) else { return nil }
        self = digest
    }

    /// A digest just computed by `SHA256`, whose hex needs no checking.
    init(computed hex: String) {
        self.hex = hex
    }

    public var description: String { "\(Self.algorithm):\(hex)" }

    /// Enough digits to tell digests apart on a screen: `sha256:3f2a9c1be07d`.
    public var short: String { "\(Self.algorithm):\(hex.prefix(12))" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }
}

extension Digest: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Digest: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Digest? {
        String.fromDatabaseValue(dbValue).flatMap { try? Digest(parsing: $0) }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}

extension Digest {
    /// The SHA-256 of bytes held in memory.
    public static func of(_ bytes: some ContiguousBytes) -> Digest {
        bytes.withUnsafeBytes { Digest(computed: SHA256.hash($0)) }
    }
}
