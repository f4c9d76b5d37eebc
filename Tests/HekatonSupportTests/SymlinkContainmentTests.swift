import HekatonSupport
import Testing

@Suite("Symbolic links kept inside a tree")
struct SymlinkContainmentTests {
    @Test(arguments: [
        // (links of the tree, link to judge, where it resolves)
        ([("a/b", "../c")], "a/b", SymlinkContainment.Resolution.inside),
        ([("a/b", "../../c")], "a/b", .outside),
        ([("up", "..")], "up", .outside),
        ([("here", ".")], "here", .inside),
        ([("abs", "/etc/passwd")], "abs", .absolute),
        // A link to a directory: `..` after it goes to the parent of its target, not back
        // to where the text says. `a/up` is the root, so `a/up/..` leaves the tree.
        ([("a/up", ".."), ("b", "a/up/..")], "b", .outside),
        ([("a/up", ".."), ("b", "a/up/c")], "b", .inside),
        // A link to a directory link that leaves: followed through, not judged by its text.
        ([("d", "../outside"), ("e", "d")], "e", .outside),
        ([("d", "sub/deeper"), ("e", "d/../x")], "e", .inside),
        ([("d", "/srv"), ("e", "d/x")], "e", .absolute),
        ([("x", "y"), ("y", "x")], "x", .loop),
        // A name the tree does not hold is walked as text.
        ([("n", "missing/../../x")], "n", .outside),
    ])
    func resolves(links: [(String, String)], link: String, expected: SymlinkContainment.Resolution) {
        var containment = SymlinkContainment()
        for (path, target) in links { containment.add(link: path, target: target) }
        #expect(containment.resolve(link: link) == expected)
    }

    @Test func theFirstEscapeIsReportedInPathOrder() throws {
        let containment = SymlinkContainment(links: ["z": "../out", "m/ok": "../z", "b": "/abs"])
        let escape = try #require(containment.firstEscape())
        #expect(escape.path == "b")
        #expect(escape.resolution == .absolute)
        #expect(SymlinkContainment(links: ["a/b": "../c"]).firstEscape() == nil)
    }

    @Test func aPathThroughALinkIsFound() {
        let containment = SymlinkContainment(links: ["a/link": "../b"])
        #expect(containment.linkAmongParents(of: "a/link/file") == "a/link")
        #expect(containment.linkAmongParents(of: "a/link") == nil)
        #expect(containment.linkAmongParents(of: "a/other/file") == nil)
    }
}
