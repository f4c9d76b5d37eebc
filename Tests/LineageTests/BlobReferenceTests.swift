import Foundation
import GRDB
import TestSupport
import Testing
@testable import Lineage

/// What gc keeps and fsck looks for: every digest any module's tables name, and the files of
/// the trees among them.
@Suite("Blob references")
struct BlobReferenceTests {
    /// Another module's table of trees, as the pipeline's published competitions are.
    static let competitions = BlobReferenceQuery("SELECT root_digest, 'competition ' || name FROM other_competition")

    /// A store and a database holding: a dataset version (a tree), a competition (a tree
    /// only the other module's table names), a model that is a plain blob, an environment
    /// (a digest that names no blob) and an orphan blob.
    struct Fixture {
        let directory: TemporaryDirectory
        let store: BlobStore
        let database: DatabaseQueue
        let dataset: SnapshotReport
        let competition: SnapshotReport
        let model: Digest
        let environment: Digest
        let orphan: Digest

        init() throws {
            directory = try TemporaryDirectory()
            store = try BlobStore(root: directory("blobs"))
            let snapshot = TreeSnapshot(store: store)
            try directory.write("data/train/a.csv", "a\n")
            try directory.write("data/eval/b.csv", "b\n")
            dataset = try snapshot.capture(directory("data"))
            try directory.write("competition/host/train.py", "print('train')\n")
            try directory.write("competition/template/submission.py", "class Trainer: pass\n")
            competition = try snapshot.capture(directory("competition"))
            model = try store.store(Data("weights".utf8)).digest
            orphan = try store.store(Data("nothing keeps me".utf8)).digest
            environment = LineageChain.digest("requirements: numpy")
            database = try LineageChain.makeDatabase()
            try database.write { [self] db in
                try db.execute(sql: "CREATE TABLE other_competition (name TEXT, root_digest TEXT)")
                try db.execute(sql: "INSERT INTO other_competition VALUES ('demo@v1', ?)", arguments: [competition.rootDigest])
                _ = try DatasetVersion.register(dataset: "letters", tag: "v1", manifest: dataset.manifest, source: directory("data"),
                                                at: LineageChain.start, db)
                _ = try Environment.findOrCreate(digest: environment, at: LineageChain.start, db)
                var run = try Run.start(.train, jobID: nil, at: LineageChain.start, db)
                _ = try run.recordModel(digest: model, at: LineageChain.start, db)
                try run.finish(.succeeded, at: LineageChain.start, db)
            }
        }

        func references() throws -> BlobReferences {
            try database.read { db in try store.references(db, from: LineageSchema.blobReferences + [BlobReferenceTests.competitions]) }
        }

        func file(_ path: String, of report: SnapshotReport) throws -> Digest {
            try #require(report.manifest.digest(of: path))
        }

        /// Two hours on: every blob is older than a one-hour grace period.
        var later: Date { Date().addingTimeInterval(7200) }
    }

    @Test("every module's references count, with the manifest and every file of each tree; an environment's digest is no blob")
    func countsEveryReference() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let references = try fixture.references()
        let template = try fixture.file("template/submission.py", of: fixture.competition)
        let expected: Set<Digest> = [fixture.dataset.rootDigest, try fixture.file("train/a.csv", of: fixture.dataset),
                                     try fixture.file("eval/b.csv", of: fixture.dataset), fixture.competition.rootDigest,
                                     try fixture.file("host/train.py", of: fixture.competition), template, fixture.model]
        #expect(references.digests == expected)
        #expect(references.unreadableRoots.isEmpty)
        #expect(references.owners[template]?.description == "file template/submission.py of competition demo@v1")
        #expect(references.owners[fixture.dataset.rootDigest]?.description == "dataset letters@v1")

        let report = try fixture.store.verify(referenced: references.digests)
        #expect(report.isHealthy, "nothing is missing: the environment is not looked for among blobs (\(report.missing))")
    }

    @Test("gc with no grace removes only what nothing references, and every tree still materializes")
    func collectsOnlyGarbage() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let collected = try fixture.store.garbageCollect(try fixture.references(), gracePeriod: .zero, now: fixture.later)
        #expect(collected.removedBlobs == [fixture.orphan])

        let snapshot = TreeSnapshot(store: fixture.store)
        try snapshot.materialize(fixture.competition.rootDigest, into: fixture.directory("competition-copy"))
        try snapshot.materialize(fixture.dataset.rootDigest, into: fixture.directory("data-copy"))
        #expect(try String(contentsOfFile: fixture.directory("competition-copy/template/submission.py"), encoding: .utf8) == "class Trainer: pass\n")
        #expect(try fixture.store.read(fixture.model) == Data("weights".utf8))
    }

    @Test("a referenced manifest that is missing or damaged makes gc refuse, naming it and its record; its files stay",
          arguments: [false, true])
    func unreadableManifestStopsCollection(damaged: Bool) throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let manifest = fixture.store.path(for: fixture.competition.rootDigest)
        if damaged {
            try Damage.flipByte(in: manifest, at: 20)
        } else {
            try FileManager.default.removeItem(atPath: manifest)
        }
        let references = try fixture.references()
        #expect(references.unreadableRoots.count == 1)

        let error = #expect(throws: LineageError.self) {
            try fixture.store.garbageCollect(references, gracePeriod: .zero, now: fixture.later)
        }
        #expect(error?.code == (damaged ? .corruptBlob : .missingBlob))
        #expect(error?.message.contains("gc refused") == true)
        #expect(error?.message.contains(fixture.competition.rootDigest.description) == true)
        #expect(error?.message.contains("competition demo@v1") == true)
        #expect(fixture.store.contains(try fixture.file("template/submission.py", of: fixture.competition)))
        #expect(fixture.store.contains(fixture.orphan), "nothing at all was collected")
    }
}
