/// One pattern line of a `.hekatonignore`, parsed the way git parses a `.gitignore` line.
public struct IgnoreRule: Sendable, Equatable {
    /// Where the rule came from, for messages: `.hekatonignore` or `built-in`.
    public let source: String
    /// 1-based line number in `source`.
    public let line: Int
    /// The pattern as written, after trailing spaces were trimmed (with its `!` and `/`).
    public let text: String
    /// `!pattern`: a match re-includes the path.
    public let isNegated: Bool
    /// `pattern/`: matches directories only.
    public let isDirectoryOnly: Bool

    /// The glob, without the leading `!` and the trailing `/`.
    let pattern: [UInt8]
    /// No `/` inside: matched against the last component, at any depth (git's NODIR).
    let matchesBasename: Bool
    /// Bytes before the first glob character, compared literally (git's `nowildcardlen`).
    let literalPrefixLength: Int
    /// `*literal`: a suffix comparison (git's ENDSWITH).
    let isSuffixPattern: Bool

    /// Parses a line already stripped of its line ending, comments and trailing spaces;
    /// nil for a line that holds no pattern.
    init?(line bytes: ArraySlice<UInt8>, number: Int, source: String) {
        var body = bytes
        var negated = false
        if body.first == ASCII.exclamation {
            negated = true
            body = body.dropFirst()
        }
        var directoryOnly = false
        if body.last == ASCII.slash {
            directoryOnly = true
            body = body.dropLast()
        }
        guard !body.isEmpty else { return nil }
        self.source = source
        self.line = number
        self.text = String(decoding: bytes, as: UTF8.self)
        self.isNegated = negated
        self.isDirectoryOnly = directoryOnly
        self.pattern = Array(body)
        self.matchesBasename = !body.contains(ASCII.slash)
        self.literalPrefixLength = body.firstIndex(where: ASCII.isGlobSpecial).map { $0 - body.startIndex } ?? body.count
        self.isSuffixPattern = body.first == ASCII.star && !body.dropFirst().contains(where: ASCII.isGlobSpecial)
    }

    /// Whether this rule's pattern matches `path` (a relative path without a trailing
    /// slash), ignoring negation; directory-only rules match directories only.
    func matches(path: ArraySlice<UInt8>, isDirectory: Bool) -> Bool {
        if isDirectoryOnly && !isDirectory { return false }
        if matchesBasename {
            let basename = path.lastIndex(of: ASCII.slash).map { path[($0 + 1)...] } ?? path
            return matches(basename: basename)
        }
        return matches(pathname: path)
    }

    /// Git's `match_basename`, with its literal and suffix shortcuts.
    private func matches(basename: ArraySlice<UInt8>) -> Bool {
        if literalPrefixLength == pattern.count {
            return basename.elementsEqual(pattern)
        }
        if isSuffixPattern {
            let suffix = pattern.dropFirst()
            return suffix.count <= basename.count && basename.suffix(suffix.count).elementsEqual(suffix)
        }
        return Wildmatch.matches(pattern[...], basename, pathname: false)
    }

    /// Git's `match_pathname` for a pattern anchored at the bundle's root. The literal
    /// prefix is compared first and the glob matched on what follows, as git does: that
    /// changes what a `**` right after the prefix means (`foo**/bar` matches `foo/a/bar`).
    private func matches(pathname path: ArraySlice<UInt8>) -> Bool {
        var glob = pattern[...]
        var prefix = literalPrefixLength
        if glob.first == ASCII.slash {
            glob = glob.dropFirst()
            prefix -= 1
        }
        var name = path
        if prefix > 0 {
            guard prefix <= name.count, name.prefix(prefix).elementsEqual(glob.prefix(prefix)) else { return false }
            glob = glob.dropFirst(prefix)
            name = name.dropFirst(prefix)
            if glob.isEmpty && name.isEmpty { return true }
        }
        return Wildmatch.matches(glob, name, pathname: true)
    }
}
