import TestSupport
import Foundation
import Testing
@testable import SubmissionBundle

/// `.hekatonignore` must mean what the same text means in a `.gitignore`: each case writes
/// the rules as a `.gitignore` in a scratch repository holding the tree below, asks
/// `git check-ignore -v -n --no-index` about every path, and compares the deciding line.
@Suite("IgnoreRules against git check-ignore")
struct IgnoreRulesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let rules: String
        var testDescription: String { name }
    }

    /// Directories end in `/`. Names with spaces, `#`, `!`, brackets and backslashes are
    /// here on purpose.
    static let tree = [
        "README.md", "main.py", "notes.txt", "debug.log", "foo", "foo.bak", ".env", "Thumbs.db", "UPPER.TXT",
        "logs/", "logs/today.log", "logs/archive/", "logs/archive/old.log",
        "build/", "build/out.o", "build/keep.txt",
        "src/", "src/main.c", "src/util.h", "src/util.py", "src/util.pyc", "src/build/", "src/build/gen.c",
        "src/deep/", "src/deep/er/", "src/deep/er/file.txt", "src/deep/er/build",
        "doc/", "doc/a.md", "doc/sub/", "doc/sub/b.md",
        "a/", "a/b/", "a/b/c/", "a/b/c/d.txt", "a/x/", "a/x/b/", "a/x/b/c.txt", "a/c",
        "abc/", "abc/def",
        "#hash.txt", "!bang.txt", "space .txt", "trail ", "weird[1].txt", "weird1.txt", "q?.txt", "star*.txt",
        #"back\slash.txt"#,
        "data/", "data/train.csv", "data/.hidden", "data/keep/", "data/keep/important.csv",
        "x/", "x/y/", "x/y/z/", "x/y/z/w.txt",
        "foobar/", "foobar/q.txt", "foo2/", "foo2/a/", "foo2/a/bar",
    ]

    static let cases: [Case] = [
        Case(name: "extension at any depth", rules: "*.log\n"),
        Case(name: "anchored extension", rules: "/*.log\n"),
        Case(name: "directory only", rules: "logs/\nbuild/\n"),
        Case(name: "name at any depth", rules: "logs\nbuild\n"),
        Case(name: "anchored name", rules: "/build\n"),
        Case(name: "slash in the middle anchors", rules: "src/build\ndeep/er\n"),
        Case(name: "leading double star", rules: "**/build\n**/er/file.txt\n"),
        Case(name: "trailing double star", rules: "build/**\nabc/**\n"),
        Case(name: "double star in the middle", rules: "a/**/c\na/**/d.txt\nx/**/w.txt\n"),
        Case(name: "double star alone", rules: "**\n"),
        Case(name: "double star not a component", rules: "foo**/bar\nfo**\nfoo2**/a\n"),
        Case(name: "whitelist", rules: "*\n!*.md\n!*/\n"),
        Case(name: "no re-include under an excluded directory", rules: "data/\n!data/keep/\n!data/keep/important.csv\n"),
        Case(name: "re-include next to excluded siblings", rules: "data/*\n!data/keep/\n"),
        Case(name: "escaped hash and bang", rules: "\\#hash.txt\n\\!bang.txt\n"),
        Case(name: "comment and no-op lines", rules: "#hash.txt\n\n   \n/\n!\n# *.txt\n"),
        Case(name: "escaped trailing space", rules: #"trail\ "# + "\n"),
        Case(name: "trailing spaces trimmed", rules: "trail   \nmain.py \n"),
        Case(name: "escaped glob characters", rules: #"weird\[1\].txt"# + "\n" + #"q\?.txt"# + "\n" + #"star\*.txt"# + "\n"),
        Case(name: "escaped backslash", rules: #"back\\slash.txt"# + "\n"),
        Case(name: "character classes", rules: "weird[0-9].txt\n[a-c]*\n[!a-z]*.txt\n"),
        Case(name: "named classes", rules: "[[:upper:]]*\n[[:digit:][:punct:]]*.txt\n*[[:space:]]*\n"),
        Case(name: "bracket edge cases", rules: "[]a]*\n[^a-z]oo*\n[a-]bc\nweird[[]1].txt\n"),
        Case(name: "question mark", rules: "?oo\nfoo?bak\n*.[ch]\n"),
        Case(name: "one level wildcard", rules: "*/b\na/*/c/\nx/*/z\n"),
        Case(name: "files under a directory", rules: "doc/*.md\n"),
        Case(name: "deep files under a directory", rules: "doc/**/*.md\n"),
        Case(name: "last rule wins", rules: "*.txt\n!notes.txt\nnotes.txt\n!src/deep/er/file.txt\n"),
        Case(name: "negated compiled file", rules: "*.pyc\n!src/util.pyc\n"),
        Case(name: "anchored directory with a middle slash", rules: "/a/b/\nsrc/deep/\n"),
        Case(name: "negated directory", rules: "a/\n!a/\n!a/b/c/d.txt\n"),
        Case(name: "CRLF line endings", rules: "*.log\r\n*.md\r\n!README.md\r\n"),
        Case(name: "suffix patterns", rules: "*.bak\n*env\n*ar\n"),
        Case(name: "literal paths", rules: "src/util.py\n/foobar/q.txt\nThumbs.db\n"),
        Case(name: "trailing slash on a pattern with a middle slash", rules: "src/deep/er/\nlogs/archive/\n"),
        Case(name: "star slash star", rules: "*/*\n!*/*/\n"),
        Case(name: "double star slash double star", rules: "**/**/c.txt\na/**/**/d.txt\n"),
        Case(name: "hidden files", rules: ".*\n!.env\n"),
    ]

    @Test(arguments: cases)
    func matchesGit(_ testCase: Case) throws {
        let repository = try TemporaryDirectory("ignore")
        defer { repository.remove() }
        for path in Self.tree {
            if path.hasSuffix("/") { try repository.makeDirectory(String(path.dropLast())) } else { try repository.write(path) }
        }
        try repository.write(".gitignore", testCase.rules)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": repository.path, "XDG_CONFIG_HOME": repository.path,
                           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]
        let initialized = try ChildProcess.run("/usr/bin/git", ["init", "-q", repository.path], environment: environment)
        try #require(initialized.status == 0, "git init: \(initialized.errors)")

        let paths = Self.tree.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let input = Data(paths.joined(separator: "\0").utf8 + [0])
        let checked = try ChildProcess.run("/usr/bin/git", ["check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"],
                                           input: input, directory: repository.path, environment: environment)
        try #require(checked.status == 0 || checked.status == 1, "git check-ignore: \(checked.errors)")
        // -z -v -n: four NUL-terminated fields per path: source, line, pattern, path.
        let fields = checked.output.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var gitLines: [String: Int] = [:]
        for record in stride(from: 0, to: fields.count - 3, by: 4) where fields[record] == ".gitignore" {
            gitLines[fields[record + 3]] = Int(fields[record + 1])
        }
        try #require(fields.count / 4 == paths.count, "git answered \(fields.count / 4) paths for \(paths.count)")

        let rules = IgnoreRules(parsing: testCase.rules, source: ".gitignore")
        for (path, written) in zip(paths, Self.tree) {
            let rule = rules.decidingRule(for: path, isDirectory: written.hasSuffix("/"))
            #expect(rule?.line == gitLines[path], "'\(path)': git decides by line \(gitLines[path].map(String.init) ?? "none"), we by \(rule.map { "\($0.line) (\($0.text))" } ?? "none")")
        }
    }

    @Test func excludesCountsNegationAndParents() {
        let rules = IgnoreRules(parsing: "data/\n*.csv\n!keep.csv\n")
        #expect(rules.excludes("data/x.txt", isDirectory: false))
        #expect(rules.excludes("train.csv", isDirectory: false))
        #expect(!rules.excludes("keep.csv", isDirectory: false))
        #expect(rules.excludes("data/keep.csv", isDirectory: false))
        #expect(!rules.excludes("data", isDirectory: false))  // a file named data is not a directory
    }

    @Test func builtInExcludes() {
        let builtIn = IgnoreRules.builtIn
        for path in [".git", "pkg/__pycache__", ".hekaton", ".venv", "sub/.venv"] {
            #expect(builtIn.excludes(path, isDirectory: true), "\(path)")
        }
        #expect(builtIn.excludes("model.pyc", isDirectory: false))
        #expect(builtIn.excludes(".git/config", isDirectory: false))
        #expect(!builtIn.excludes("submission.py", isDirectory: false))
        #expect(!builtIn.excludes(".gitignore", isDirectory: false))
    }

    @Test func byteOrderMarkIsSkipped() {
        let rules = IgnoreRules(parsing: [0xEF, 0xBB, 0xBF] + Array("*.log\n".utf8))
        #expect(rules.excludes("a.log", isDirectory: false))
        #expect(rules.rules.first?.line == 1)
    }
}
