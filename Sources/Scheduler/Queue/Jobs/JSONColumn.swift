import Foundation

/// The JSON text stored in the `argv`, `environment` and `labels` columns.
///
/// Enqueueing and claiming are hot paths measured in microseconds per job, and nearly all
/// commands are plain text. Strings without a quote, backslash or control character are
/// written and read directly, in the same compact form as Foundation's coders (sorted keys,
/// unescaped slashes), which handle everything else.
enum JSONColumn {
    static func encode(_ strings: [String]) throws -> String {
        if strings.allSatisfy(isPlain) {
            return "[" + strings.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        }
        return String(decoding: try encoder().encode(strings), as: UTF8.self)
    }

    static func encode(_ map: [String: String]) throws -> String {
        if map.isEmpty { return "{}" }
        if map.allSatisfy({ isPlain($0.key) && isPlain($0.value) }) {
            let members = map.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
            return "{" + members.joined(separator: ",") + "}"
        }
        return String(decoding: try encoder().encode(map), as: UTF8.self)
    }

    static func decodeStrings(_ text: String) throws -> [String] {
        // Without a backslash every quote delimits a string: `["a","b"]` splits into
        // `[`, `a`, `,`, `b`, `]`, and the strings are at the odd places.
        if !text.utf8.contains(UInt8(ascii: "\\")), text.hasPrefix("["), text.hasSuffix("]") {
            let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
            if parts.count % 2 == 1 {
                return stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) }
            }
        }
        return try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    static func decodeMap(_ text: String) throws -> [String: String] {
        if text == "{}" { return [:] }
        if !text.utf8.contains(UInt8(ascii: "\\")), text.hasPrefix("{"), text.hasSuffix("}") {
            let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
            if parts.count % 4 == 1 {
                var map: [String: String] = [:]
                for index in stride(from: 1, to: parts.count, by: 4) {
                    map[String(parts[index])] = String(parts[index + 2])
                }
                return map
            }
        }
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    /// Needs no escaping in JSON.
    private static func isPlain(_ string: String) -> Bool {
        !string.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
