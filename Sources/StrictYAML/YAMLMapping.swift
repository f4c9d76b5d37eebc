import Foundation
import Yams

/// A YAML mapping read field by field, so that every error names its file, line and field.
///
/// Readers declare the keys they know with `allowKeys`; any other key is an error with a
/// "did you mean" suggestion, which is how a typo like `metirc:` gets caught.
public struct YAMLMapping: Sendable {
    public let file: String
    /// Dotted path of this mapping inside the document; empty at the root.
    public let path: String
    public let line: Int?
    private let pairs: [(key: String, keyLine: Int?, value: YAMLValue)]

    /// Parses `text` and returns its root mapping. An empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLMapping {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLError(.syntax, file: file, line: Self.line(of: error), field: nil, message: "not valid YAML: \(Self.summary(of: error))")
        } catch {
            throw YAMLError(.syntax, file: file, line: nil, field: nil, message: "not valid YAML: \(error)")
        }
        guard let node else { return YAMLMapping(file: file, path: "", line: 1, pairs: []) }
        return try YAMLValue(node: node, file: file, path: "").mapping()
    }

    init(file: String, path: String, line: Int?, pairs: [(key: String, keyLine: Int?, value: YAMLValue)]) {
        self.file = file
        self.path = path
        self.line = line
        self.pairs = pairs
    }

    public var keys: [String] { pairs.map(\.key) }

    public subscript(key: String) -> YAMLValue? {
        pairs.first { $0.key == key }?.value
    }

    /// Rejects the first key not in `allowed`, suggesting the closest allowed one.
    public func allowKeys(_ allowed: [String]) throws(YAMLError) {
        for pair in pairs where !allowed.contains(pair.key) {
            let closest = allowed.min { editDistance(pair.key, $0) < editDistance(pair.key, $1) }
            let suggestion: String
            if let closest, editDistance(pair.key, closest) <= max(2, closest.count / 3) {
                suggestion = "did you mean '\(closest)'?"
            } else {
                suggestion = "known keys here: \(allowed.joined(separator: ", "))"
            }
            throw YAMLError(.unknownKey, file: file, line: pair.keyLine, field: fieldPath(pair.key),
                            message: "unknown key '\(pair.key)'", suggestion: suggestion)
        }
    }

    public func required(_ key: String) throws(YAMLError) -> YAMLValue {
        guard let value = self[key] else {
            throw YAMLError(.missingKey, file: file, line: line, field: fieldPath(key), message: "missing required key '\(key)'",
                            suggestion: "add '\(key):' here")
        }
        return value
    }

    public func string(_ key: String) throws(YAMLError) -> String? { try self[key]?.string() }
    public func int(_ key: String) throws(YAMLError) -> Int? { try self[key]?.int() }
    public func bool(_ key: String) throws(YAMLError) -> Bool? { try self[key]?.bool() }
    public func mapping(_ key: String) throws(YAMLError) -> YAMLMapping? { try self[key]?.mapping() }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at column \(mark.column)"
        default:
            return "\(error)"
        }
    }
}

/// One value of a YAML document with its location.
public struct YAMLValue: @unchecked Sendable {
    // Yams.Node is a tree of value types; it is not marked Sendable upstream.
    let node: Node
    public let file: String
    public let path: String

    public var line: Int? { node.mark?.line }

    public func string() throws(YAMLError) -> String {
        guard case .scalar(let scalar) = node else { throw wrongType("a string") }
        return scalar.string
    }

    public func int() throws(YAMLError) -> Int {
        guard case .scalar = node, let value = node.int else { throw wrongType("a whole number") }
        return value
    }

    public func double() throws(YAMLError) -> Double {
        guard case .scalar = node, let value = node.float else { throw wrongType("a number") }
        return value
    }

    /// A whole number within `range`; out of range is an error naming the range.
    public func int(in range: ClosedRange<Int>) throws(YAMLError) -> Int {
        let value = try int()
        guard range.contains(value) else { throw outOfRange("\(value)", "\(range.lowerBound)", "\(range.upperBound)") }
        return value
    }

    /// A finite number within `range`.
    public func double(in range: ClosedRange<Double>) throws(YAMLError) -> Double {
        let value = try double()
        guard value.isFinite, range.contains(value) else {
            throw outOfRange("\(value)", "\(range.lowerBound)", "\(range.upperBound)")
        }
        return value
    }

    /// The error for a value outside the range a reader accepts.
    public func outOfRange(_ value: String, _ lowest: String, _ highest: String) -> YAMLError {
        invalid("\(value) is out of range", suggestion: "give a value from \(lowest) to \(highest)")
    }

    public func bool() throws(YAMLError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw wrongType("true or false") }
        return value
    }

    public func mapping() throws(YAMLError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw wrongType("a mapping of keys to values") }
        var pairs: [(key: String, keyLine: Int?, value: YAMLValue)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw YAMLError(.wrongType, file: file, line: key.mark?.line, field: path.isEmpty ? nil : path,
                                message: "keys must be plain strings")
            }
            let childPath = path.isEmpty ? scalar.string : path + "." + scalar.string
            pairs.append((scalar.string, key.mark?.line, YAMLValue(node: value, file: file, path: childPath)))
        }
        return YAMLMapping(file: file, path: path, line: node.mark?.line, pairs: pairs)
    }

    public func list() throws(YAMLError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw wrongType("a list") }
        return sequence.enumerated().map { YAMLValue(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    /// A list of strings; a single string is accepted as a list of one.
    public func stringList() throws(YAMLError) -> [String] {
        if case .scalar(let scalar) = node { return [scalar.string] }
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }

    /// An error about this value, for readers that check its meaning.
    public func invalid(_ message: String, suggestion: String? = nil) -> YAMLError {
        YAMLError(.invalidValue, file: file, line: line, field: path, message: message, suggestion: suggestion)
    }

    private func wrongType(_ expected: String) -> YAMLError {
        YAMLError(.wrongType, file: file, line: line, field: path, message: "expected \(expected)")
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

extension YAMLValue {
    /// The value as compact JSON with sorted keys (scalars typed as YAML resolves them).
    public func json() throws(YAMLError) -> String {
        func encode(_ node: Node) -> String {
            switch node {
            case .scalar(let scalar):
                if scalar.style == .plain {
                    if let int = node.int { return String(int) }
                    if let double = node.float { return double.isFinite ? String(double) : "null" }
                    if let bool = node.bool { return bool ? "true" : "false" }
                    if node.null != nil { return "null" }
                }
                return quote(scalar.string)
            case .mapping(let mapping):
                let pairs = mapping.map { (key, value) in (key.string ?? "", value) }.sorted { $0.0 < $1.0 }
                return "{" + pairs.map { quote($0.0) + ":" + encode($0.1) }.joined(separator: ",") + "}"
            case .sequence(let sequence):
                return "[" + sequence.map(encode).joined(separator: ",") + "]"
            case .alias:
                return "null"
            }
        }
        func quote(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        return encode(node)
    }
}
