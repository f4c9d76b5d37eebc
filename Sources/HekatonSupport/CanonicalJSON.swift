/// Byte-exact JSON for content that is hashed: the same value always gives the same bytes.
///
/// One rule for every hashed document (tree manifests; OCI configs, manifests and indexes):
/// no whitespace; object keys in the byte order of their UTF-8; strings escaped minimally
/// (`"`, `\`, `\b \f \n \r \t`, other control characters as `\u00xx`; `/` and non-ASCII as
/// they are); integers in decimal; other numbers as Swift's standard library prints a
/// `Double` (the shortest digits that read back to it), without a trailing `.0`.
///
/// Written by hand rather than by Foundation's `JSONEncoder`: the encoder promises nothing
/// about its bytes (key order, number and escape forms) across versions and platforms, and
/// a digest already stored must name the same bytes after the next upgrade. The rule gives
/// byte for byte what both earlier writers stored (hand-written manifests, and `JSONEncoder`
/// with `.sortedKeys, .withoutEscapingSlashes` for image layouts), so no stored digest changes.
public struct CanonicalJSON {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func reserveCapacity(_ capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Punctuation the caller writes itself: `{`, `,`, `]`.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x08: raw("\\b")
            case 0x09: raw("\\t")
            case 0x0A: raw("\\n")
            case 0x0C: raw("\\f")
            case 0x0D: raw("\\r")
            case 0x00..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0f)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite number; callers check `isFinite`, since JSON has no NaN or infinity.
    public mutating func number(_ value: Double) {
        precondition(value.isFinite, "JSON has no \(value)")
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `"key":`, for keys the caller writes in sorted order itself.
    public mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    /// Any document, its object keys sorted by their UTF-8 bytes.
    public mutating func value(_ value: JSONValue) throws(NonFiniteNumber) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): flag ? raw("true") : raw("false")
        case .integer(let number): integer(number)
        case .number(let number):
            guard number.isFinite else { throw NonFiniteNumber(value: number) }
            self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { raw(",") }
                try self.value(element)
            }
            raw("]")
        case .object(let fields):
            raw("{")
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, field) in sorted.enumerated() {
                if index > 0 { raw(",") }
                string(field.key)
                raw(":")
                try self.value(field.value)
            }
            raw("}")
        }
    }

    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) throws(NonFiniteNumber) -> [UInt8] {
        var json = CanonicalJSON()
        try json.value(value)
        return json.bytes
    }

    /// JSON has no NaN or infinity, so a document holding one has no bytes to hash.
    public struct NonFiniteNumber: Error, Sendable, CustomStringConvertible {
        public var value: Double
        public var description: String { "JSON cannot hold the number \(value)" }
    }
}
