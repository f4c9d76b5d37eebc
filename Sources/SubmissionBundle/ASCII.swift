/// The bytes glob patterns and tar headers are made of, and git's character classes.
enum ASCII {
    static let nul: UInt8 = 0
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let exclamation = UInt8(ascii: "!")
    static let hash = UInt8(ascii: "#")
    static let star = UInt8(ascii: "*")
    static let dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let slash = UInt8(ascii: "/")
    static let zero = UInt8(ascii: "0")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let questionMark = UInt8(ascii: "?")
    static let leftBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let rightBracket = UInt8(ascii: "]")
    static let caret = UInt8(ascii: "^")

    /// Git's `is_glob_special`: the bytes that end a pattern's literal prefix.
    static func isGlobSpecial(_ byte: UInt8) -> Bool {
        byte == star || byte == questionMark || byte == leftBracket || byte == backslash
    }

    /// `[:name:]` inside a bracket expression, with git's definitions (ASCII only, and its
    /// own `space`: tab, newline, carriage return and space). Nil for an unknown name,
    /// which makes git's matcher fail the whole pattern.
    static func namedClass(_ name: ArraySlice<UInt8>) -> ((UInt8) -> Bool)? {
        let isUpper: (UInt8) -> Bool = { $0 >= 65 && $0 <= 90 }
        let isLower: (UInt8) -> Bool = { $0 >= 97 && $0 <= 122 }
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        let isAlpha: (UInt8) -> Bool = { isUpper($0) || isLower($0) }
        let isGraph: (UInt8) -> Bool = { $0 > 32 && $0 < 127 }
        switch String(decoding: name, as: UTF8.self) {
        case "alnum": return { isAlpha($0) || isDigit($0) }
        case "alpha": return isAlpha
        case "blank": return { $0 == 32 || $0 == 9 }
        case "cntrl": return { $0 < 32 || $0 == 127 }
        case "digit": return isDigit
        case "graph": return isGraph
        case "lower": return isLower
        case "print": return { $0 >= 32 && $0 < 127 }
        case "punct": return { isGraph($0) && !isAlpha($0) && !isDigit($0) }
        case "space": return { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
        case "upper": return isUpper
        case "xdigit": return { isDigit($0) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }
        default: return nil
        }
    }
}
