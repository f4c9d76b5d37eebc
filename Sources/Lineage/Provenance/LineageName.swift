/// The rules for names people type and read back: dataset names, version tags, artifact
/// kinds, metrics and context names. They end up in paths, references such as
/// `dataset:NAME@TAG` and terminal output, so each rule keeps one of those unambiguous.
public enum LineageName {
    public static let maximumLength = 128

    public enum Role: String, Sendable {
        case datasetName = "dataset name"
        case tag = "tag"
        case artifactKind = "artifact kind"
        case metric = "metric"
        case contextName = "context name"

        var example: String {
            switch self {
            case .datasetName: "movielens-25m"
            case .tag: "2024-06"
            case .artifactKind: "serving-bundle"
            case .metric: "ndcg@10"
            case .contextName: "movielens-challenge"
            }
        }
    }

    /// Throws `LineageError` with code `.invalidName` and a message naming the rule broken.
    public static func validate(_ value: String, as role: Role) throws {
        func reject(_ reason: String) -> LineageError {
            LineageError(.invalidName, "\(role.rawValue) \(value.debugDescription) \(reason)")
        }
        guard !value.isEmpty else {
            throw LineageError(.invalidName, "\(role.rawValue) is empty; give one such as '\(role.example)'")
        }
        let length = value.unicodeScalars.count
        guard length <= maximumLength else {
            throw reject("is \(length) characters long; the limit is \(maximumLength)")
        }
        if let control = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            throw reject("contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code); use printable characters only")
        }
        // Bidirectional controls and invisible format characters make a name read as another.
        if let format = value.unicodeScalars.first(where: { $0.properties.generalCategory == .format }) {
            let code = String(format.value, radix: 16, uppercase: true)
            throw reject("contains the invisible formatting character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code), which can make it display as another name; remove it")
        }
        if value.contains("/") {
            throw reject("contains '/'; a \(role.rawValue) is one path component, so use '-' or '_' instead (e.g. '\(role.example)')")
        }
        if value.contains("..") || value == "." {
            throw reject("contains '..' or is '.'; these name directories, so choose another \(role.rawValue)")
        }
        if value.first!.isWhitespace || value.last!.isWhitespace {
            throw reject("starts or ends with a space, which no one can see in a listing; remove it")
        }
        if role == .datasetName || role == .tag, value.contains("@") {
            throw reject("contains '@', which separates a dataset name from its tag in 'NAME@TAG'; remove it")
        }
    }
}
