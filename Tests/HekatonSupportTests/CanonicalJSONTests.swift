import HekatonSupport
import Testing

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    static func text(_ value: JSONValue) throws -> String {
        String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
    }

    /// Byte order of UTF-8: upper case before lower, `a10` before `a9`, and a character
    /// outside the BMP after U+FF01 (UTF-16 order would put it first).
    @Test func keysAreInTheByteOrderOfTheirUTF8() throws {
        let keys = ["a9", "a10", "a", "B", "_", "z", "é", "\u{FF01}", "😀", ""]
        let value = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, .integer(Int64($0))) }))
        #expect(try Self.text(value) == #"{"":9,"B":3,"_":4,"a":2,"a10":1,"a9":0,"z":5,"é":6,"！":7,"😀":8}"#)
    }

    @Test func stringsAreEscapedMinimally() throws {
        let value = JSONValue.string("a/b \"q\" \\ \u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F} é \u{2028} 😀")
        #expect(try Self.text(value) == "\"a/b \\\"q\\\" \\\\ \\u0000\\u0001\\b\\t\\n\\f\\r\\u001f\u{7F} é \u{2028} 😀\"")
    }

    @Test(arguments: [
        (JSONValue.integer(Int64.max), "9223372036854775807"),
        (.integer(Int64.min), "-9223372036854775808"),
        (.number(2.0), "2"),
        (.number(-0.0), "-0"),
        (.number(0.1), "0.1"),
        (.number(3.14), "3.14"),
        (.number(1e20), "1e+20"),
        (.number(1e-7), "1e-07"),
        (.number(123456789012345678.0), "1.2345678901234568e+17"),
        (.bool(true), "true"),
        (.null, "null"),
        (.array([]), "[]"),
        (.object([:]), "{}"),
    ])
    func numbersAndLiterals(value: JSONValue, expected: String) throws {
        #expect(try Self.text(value) == expected)
    }

    @Test func notANumberHasNoBytes() {
        #expect(throws: CanonicalJSON.NonFiniteNumber.self) { try CanonicalJSON.encode(.array([.number(.nan)])) }
        #expect(throws: CanonicalJSON.NonFiniteNumber.self) { try CanonicalJSON.encode(.number(.infinity)) }
    }

    /// The streaming writer (for large manifests) and the tree writer give the same bytes.
    @Test func theWriterAndTheTreeAgree() throws {
        var json = CanonicalJSON()
        json.raw("{")
        json.key("entries"); json.raw("[{")
        json.key("path"); json.string("dir/a \"b\""); json.raw(",")
        json.key("size"); json.integer(12)
        json.raw("}],")
        json.key("format"); json.string("hekaton.tree.v1")
        json.raw("}")
        let tree = JSONValue.object([
            "format": .string("hekaton.tree.v1"),
            "entries": .array([.object(["size": .integer(12), "path": .string("dir/a \"b\"")])]),
        ])
        #expect(json.bytes == (try CanonicalJSON.encode(tree)))
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"entries":[{"path":"dir/a \"b\"","size":12}],"format":"hekaton.tree.v1"}"#)
    }
}
