/// A YAML document that does not say what its reader expects, located and explained.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case syntax, unknownKey, missingKey, wrongType, invalidValue
    }

    public let code: Code
    public let file: String
    public let line: Int?
    /// The dotted path of the field (`limits.train.memory`), when one is concerned.
    public let field: String?
    public let message: String
    public let suggestion: String?

    public init(_ code: Code, file: String, line: Int?, field: String?, message: String, suggestion: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field { text += "'\(field)': " }
        text += message
        if let suggestion { text += "; \(suggestion)" }
        return text
    }
}
