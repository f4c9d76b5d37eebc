/// The rules of a `.hekatonignore`, in the syntax and with the meaning of `.gitignore`.
///
/// Blank lines and `#` comments are skipped (`\#` starts a pattern with `#`); trailing
/// spaces are dropped unless escaped with `\`; `!` re-includes; a `/` at the start or in
/// the middle anchors the pattern at the bundle's root, otherwise it matches at any depth;
/// a trailing `/` matches directories only; `*`, `?`, `[a-z]` and `**` glob as in git. The
/// last matching rule wins, and nothing below an excluded directory can be re-included,
/// because the directory is never entered.
///
/// Only the `.hekatonignore` at the top of the bundle is read.
public struct IgnoreRules: Sendable, Equatable {
    public static let fileName = ".hekatonignore"

    /// Left out of every bundle whatever `.hekatonignore` says: version control, caches
    /// and virtual environments, which the pipeline rebuilds and which only add bytes.
    public static let builtIn = IgnoreRules(parsing: ".git/\n__pycache__/\n*.pyc\n.hekaton/\n.venv/\n", source: "built-in")

    public let rules: [IgnoreRule]

    public init(rules: [IgnoreRule]) {
        self.rules = rules
    }

    public init(parsing text: String, source: String = IgnoreRules.fileName) {
        self.init(parsing: Array(text.utf8), source: source)
    }

    /// Parses the bytes of an ignore file as git does: an optional UTF-8 byte order mark,
    /// lines ending in LF or CRLF, a last line without a newline.
    public init(parsing bytes: [UInt8], source: String = IgnoreRules.fileName) {
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        var rules: [IgnoreRule] = []
        for (index, rawLine) in content.split(separator: ASCII.newline, omittingEmptySubsequences: false).enumerated() {
            var line = rawLine
            if line.last == ASCII.carriageReturn { line = line.dropLast() }
            if line.isEmpty || line.first == ASCII.hash { continue }
            if let rule = IgnoreRule(line: Self.trimmingTrailingSpaces(line), number: index + 1, source: source) {
                rules.append(rule)
            }
        }
        self.rules = rules
    }

    /// The rule that decides whether `path` is left out, as `git check-ignore` reports it:
    /// the first of its parent directories excluded by a rule, else the last rule matching
    /// the path itself. A negated rule means the path is included. Nil: no rule applies.
    ///
    /// `path` is relative to the bundle's root, with `/` separators and no trailing slash.
    public func decidingRule(for path: String, isDirectory: Bool) -> IgnoreRule? {
        let bytes = Array(path.utf8)[...]
        var slash = bytes.startIndex
        while let next = bytes[slash...].firstIndex(of: ASCII.slash) {
            if let rule = lastMatchingRule(for: bytes[..<next], isDirectory: true), !rule.isNegated { return rule }
            slash = next + 1
        }
        return lastMatchingRule(for: bytes, isDirectory: isDirectory)
    }

    /// Whether `path` is left out, counting excluded parent directories.
    public func excludes(_ path: String, isDirectory: Bool) -> Bool {
        decidingRule(for: path, isDirectory: isDirectory).map { !$0.isNegated } ?? false
    }

    /// The last rule matching `path` itself, parents not considered: what a walk that
    /// never enters excluded directories needs.
    func lastMatchingRule(for path: ArraySlice<UInt8>, isDirectory: Bool) -> IgnoreRule? {
        rules.last { $0.matches(path: path, isDirectory: isDirectory) }
    }

    /// Git's `trim_trailing_spaces`: spaces at the end go, unless the first of them is
    /// escaped with a backslash.
    private static func trimmingTrailingSpaces(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var firstTrailingSpace: Int?
        var index = line.startIndex
        while index < line.endIndex {
            switch line[index] {
            case ASCII.space:
                if firstTrailingSpace == nil { firstTrailingSpace = index }
            case ASCII.backslash:
                index += 1
                if index == line.endIndex { return line }
                firstTrailingSpace = nil
            default:
                firstTrailingSpace = nil
            }
            index += 1
        }
        return firstTrailingSpace.map { line[..<$0] } ?? line
    }
}
