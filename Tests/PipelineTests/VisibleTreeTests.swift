import Foundation
import Lineage
import Pipeline
import Testing

/// What a stage that runs participant code gets of the competition directory's tree.
@Suite("The visible part of a competition")
struct VisibleTreeTests {
    static func file(_ path: String) -> TreeManifest.Entry {
        TreeManifest.Entry(path: path, kind: .file(digest: Digest.of(Data(path.utf8)), size: Int64(path.utf8.count), executable: false))
    }

    static let competition: TreeManifest = try! TreeManifest(entries: [
        file("hekaton.yaml"), .init(path: "host", kind: .directory), file("host/train.py"), file("host/score.py"),
        file("host/world.py"), .init(path: "host/lib", kind: .directory), .init(path: "host/lib/deep", kind: .directory),
        file("host/lib/deep/a.py"), .init(path: "host/link", kind: .symlink(target: "world.py")), file("host/train.pyc"),
    ])

    @Test("Only the listed files and directories, with the directories that lead to them", arguments: [
        (["host/train.py"], ["host", "host/train.py"]),
        (["host/lib/deep/a.py", "hekaton.yaml"], ["hekaton.yaml", "host", "host/lib", "host/lib/deep", "host/lib/deep/a.py"]),
        (["host/lib"], ["host", "host/lib", "host/lib/deep", "host/lib/deep/a.py"]),
        (["host/link"], ["host", "host/link"]),
        (["host/missing.py"], []),
        ([], []),
    ] as [([String], [String])])
    func visible(paths: [String], expected: [String]) throws {
        let shown = try PipelineExecutor.visible(Self.competition, paths)
        #expect(shown.entries.map(\.path) == expected)
        // A kept entry is the tree's own, unchanged.
        for entry in shown.entries where entry.kind != .directory {
            #expect(Self.competition.entries.contains(entry))
        }
    }
}
