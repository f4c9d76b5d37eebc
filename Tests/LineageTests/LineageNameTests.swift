import Testing
@testable import Lineage

@Suite("Names and tags")
struct LineageNameTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var value: String
        var role: LineageName.Role
        /// A word the error message must contain, or nil when the value is valid.
        var complaint: String?
        var testDescription: String { "\(role.rawValue) \(value.debugDescription)" }
    }

    @Test(arguments: [
        Case(value: "movielens-25m", role: .datasetName, complaint: nil),
        Case(value: "v1", role: .tag, complaint: nil),
        Case(value: "2024.06_final", role: .tag, complaint: nil),
        Case(value: "ndcg@10", role: .metric, complaint: nil),
        Case(value: "Ünïcödé ok", role: .datasetName, complaint: nil),
        Case(value: String(repeating: "a", count: 128), role: .datasetName, complaint: nil),
        Case(value: "", role: .datasetName, complaint: "empty"),
        Case(value: "", role: .tag, complaint: "empty"),
        Case(value: String(repeating: "a", count: 129), role: .datasetName, complaint: "129 characters"),
        Case(value: String(repeating: "é", count: 129), role: .tag, complaint: "limit is 128"),
        Case(value: "a/b", role: .datasetName, complaint: "'/'"),
        Case(value: "/", role: .tag, complaint: "'/'"),
        Case(value: "..", role: .datasetName, complaint: "'..'"),
        Case(value: "a..b", role: .tag, complaint: "'..'"),
        Case(value: ".", role: .tag, complaint: "'..' or is '.'"),
        Case(value: "bad\nname", role: .datasetName, complaint: "U+000A"),
        Case(value: "tab\there", role: .tag, complaint: "U+0009"),
        Case(value: "nul\u{0}", role: .datasetName, complaint: "U+0000"),
        Case(value: "del\u{7F}", role: .tag, complaint: "U+007F"),
        Case(value: "c1\u{85}", role: .tag, complaint: "U+0085"),
        Case(value: " padded", role: .datasetName, complaint: "space"),
        Case(value: "name@tag", role: .datasetName, complaint: "'@'"),
        Case(value: "v@1", role: .tag, complaint: "'@'"),
        Case(value: "serving/bundle", role: .artifactKind, complaint: "'/'"),
        // A right-to-left override makes "v1\u{202E}lmth.exe" display as another name.
        Case(value: "v1\u{202E}lmth", role: .tag, complaint: "U+202E"),
        Case(value: "\u{2066}isolated\u{2069}", role: .tag, complaint: "U+2066"),
        Case(value: "zero\u{200B}width", role: .datasetName, complaint: "invisible"),
    ])
    func validation(_ example: Case) {
        if let complaint = example.complaint {
            let error = #expect(throws: LineageError.self) { try LineageName.validate(example.value, as: example.role) }
            #expect(error?.code == .invalidName)
            #expect(error?.message.contains(complaint) == true, "message: \(error?.message ?? "")")
            #expect(error?.message.hasPrefix(example.role.rawValue) == true)
        } else {
            #expect(throws: Never.self) { try LineageName.validate(example.value, as: example.role) }
        }
    }
}
