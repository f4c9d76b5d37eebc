import Foundation
import GRDB
import Testing
@testable import Lineage

@Suite("Provenance records")
struct ProvenanceTests {
    @Test("migrations are named lineage-… and create the tables")
    func migrations() throws {
        var migrator = DatabaseMigrator()
        LineageSchema.registerMigrations(in: &migrator)
        #expect(!migrator.migrations.isEmpty)
        #expect(migrator.migrations.allSatisfy { $0.hasPrefix("lineage-") })
        let database = try LineageChain.makeDatabase()
        let tables = try database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        for table in ["lineage_dataset", "lineage_dataset_version", "lineage_code_bundle", "lineage_environment", "lineage_run",
                      "lineage_model", "lineage_score", "lineage_artifact", "lineage_edge", "lineage_context", "lineage_context_member"] {
            #expect(tables.contains(table))
        }
        let edgeIndexes = try database.read { try $0.indexes(on: "lineage_edge").map(\.columns) }
        #expect(edgeIndexes.contains(["node_kind", "node_id", "direction", "run_id"]), "node → run lookups are indexed")
    }

    @Test("versions get v1, v2…; the same content again creates nothing; a taken tag is a conflict")
    func registration() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let first = try DatasetVersion.register(dataset: "movielens", manifest: LineageChain.manifest("a"), source: "/srv/a", at: LineageChain.start, db)
            guard case .created(let v1) = first else { Issue.record("expected a new version"); return }
            #expect(v1.tag == "v1" && v1.fileCount == 1 && v1.size == 1)

            let same = try DatasetVersion.register(dataset: "movielens", manifest: LineageChain.manifest("a"), source: "/srv/a", at: LineageChain.start, db)
            #expect(same == .unchanged(v1))

            let second = try DatasetVersion.register(dataset: "movielens", manifest: LineageChain.manifest("b"), source: "/srv/b", at: LineageChain.start, db)
            #expect(second.version.tag == "v2")
            let tagged = try DatasetVersion.register(dataset: "movielens", tag: "2024-06", manifest: LineageChain.manifest("c"), source: "/srv/c", at: LineageChain.start, db)
            #expect(tagged.version.tag == "2024-06")

            let conflict = #expect(throws: LineageError.self) {
                try DatasetVersion.register(dataset: "movielens", tag: "v1", manifest: LineageChain.manifest("d"), source: "/srv/d", at: LineageChain.start, db)
            }
            #expect(conflict?.code == .conflict)
            #expect(conflict?.message.contains("already has a version tagged 'v1'") == true)

            #expect(try DatasetVersion.find(dataset: "movielens", tag: nil, db) == tagged.version)
            #expect(try DatasetVersion.find(dataset: "movielens", tag: "v2", db) == second.version)
            #expect(try DatasetVersion.versions(of: "movielens", db).map(\.tag) == ["v1", "v2", "2024-06"])
        }
    }

    @Test("a bad name or tag changes nothing", arguments: [("bad/name", nil), ("movielens", "v/1"), ("movielens", "..")] as [(String, String?)])
    func invalidRegistration(name: String, tag: String?) throws {
        let database = try LineageChain.makeDatabase()
        let error = #expect(throws: LineageError.self) {
            try database.write { db in
                try DatasetVersion.register(dataset: name, tag: tag, manifest: LineageChain.manifest("a"), source: "/srv/a", at: LineageChain.start, db)
            }
        }
        #expect(error?.code == .invalidName)
        #expect(try database.read { try Dataset.fetchCount($0) + DatasetVersion.fetchCount($0) } == 0)
    }

    @Test("two registrations of one name at once both succeed as distinct versions")
    func concurrentRegistrations() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pool = try DatabasePool(path: directory("lineage.sqlite3"))
        var migrator = DatabaseMigrator()
        LineageSchema.registerMigrations(in: &migrator)
        try migrator.migrate(pool)

        let tags = try await withThrowingTaskGroup(of: String.self) { group in
            for content in ["first", "second"] {
                group.addTask {
                    try await pool.write { db in
                        try DatasetVersion.register(dataset: "shared", manifest: LineageChain.manifest(content), source: content, at: LineageChain.start, db).version.tag
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(tags.sorted() == ["v1", "v2"])
        #expect(try await pool.read { try DatasetVersion.fetchCount($0) } == 2)
    }

    @Test("records commit or roll back with the caller's transaction")
    func callerTransaction() throws {
        let database = try LineageChain.makeDatabase()
        // Stands in for the queue's job table, which lives in another module.
        try database.write { try $0.execute(sql: "CREATE TABLE job (id INTEGER PRIMARY KEY, state TEXT NOT NULL); INSERT INTO job VALUES (7, 'running')") }

        struct WorkerCrashed: Error {}
        #expect(throws: WorkerCrashed.self) {
            try database.write { db in
                let run = try Run.start(.train, jobID: 7, at: LineageChain.start, db)
                _ = try run.recordModel(digest: LineageChain.digest("weights"), at: LineageChain.start, db)
                try db.execute(sql: "UPDATE job SET state = 'finished' WHERE id = 7")
                throw WorkerCrashed()
            }
        }
        #expect(try database.read { try Model.fetchCount($0) + Run.fetchCount($0) } == 0)
        #expect(try database.read { try String.fetchOne($0, sql: "SELECT state FROM job") } == "running")

        try database.write { db in
            var run = try Run.start(.train, jobID: 7, at: LineageChain.start, db)
            _ = try run.recordModel(digest: LineageChain.digest("weights"), at: LineageChain.start, db)
            try run.finish(.succeeded, at: LineageChain.start + 60, db)
            try db.execute(sql: "UPDATE job SET state = 'finished' WHERE id = 7")
        }
        #expect(try database.read { try Model.fetchCount($0) } == 1)
        #expect(try database.read { try String.fetchOne($0, sql: "SELECT state FROM job") } == "finished")
    }

    @Test("a finished run is final, and edges need nodes that exist")
    func runRules() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            var run = try Run.start(.train, jobID: nil, at: LineageChain.start, db)
            let missing = #expect(throws: LineageError.self) { try run.recordInputs([.datasetVersion(99)], db) }
            #expect(missing?.code == .notFound)
            let runInput = #expect(throws: LineageError.self) { try run.recordInputs([run.node], db) }
            #expect(runInput?.code == .conflict)

            try run.finish(.failed, at: LineageChain.start + 1, db)
            #expect(try Run.find(run.id!, db).status == .failed)
            let twice = #expect(throws: LineageError.self) { try run.finish(.succeeded, at: LineageChain.start + 2, db) }
            #expect(twice?.code == .conflict)
            let late = #expect(throws: LineageError.self) { try run.recordModel(digest: LineageChain.digest("late"), at: LineageChain.start + 3, db) }
            #expect(late?.code == .conflict)
            #expect(try Model.fetchCount(db) == 0)
        }
    }

    @Test("runs record inputs and outputs, and belong to contexts")
    func edgesAndContexts() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let chain = try LineageChain.build(db)
            #expect(try chain.trainRun.nodes(.input, db) == [chain.trainData.node, chain.code.node, chain.environment.node])
            #expect(try chain.trainRun.nodes(.output, db) == [chain.model.node])
            #expect(try chain.scoreRun.nodes(.input, db) == [chain.testData.node, chain.model.node])
            #expect(try chain.scoreRun.nodes(.output, db) == [chain.score.node])
            #expect(try chain.competition.members(db) == [chain.trainRun.node, chain.scoreRun.node, chain.artifactRun.node])
            #expect(try LineageContext.contexts(of: chain.trainRun.node, db).map(\.name) == ["movielens-challenge"])
            let submission = try LineageContext.findOrCreate(.submission, name: "17", parentID: chain.competition.id, at: LineageChain.start, db)
            #expect(submission.parentID == chain.competition.id)
            #expect(try LineageContext.findOrCreate(.submission, name: "17", at: LineageChain.start, db).id == submission.id)
        }
    }

    @Test("references parse and resolve", arguments: [
        ("dataset:movielens@v1", LineageReference.dataset(name: "movielens", tag: "v1")),
        ("dataset:movielens", LineageReference.dataset(name: "movielens", tag: nil)),
        ("model:sha256:ABCD", LineageReference.model(digestPrefix: "abcd")),
        ("model:abcdef", LineageReference.model(digestPrefix: "abcdef")),
        ("artifact:3", LineageReference.artifact(3)),
        ("run:12", LineageReference.run(12)),
    ])
    func parseReferences(text: String, expected: LineageReference) throws {
        #expect(try LineageReference(parsing: text) == expected)
    }

    @Test("malformed references are refused", arguments: ["movielens", "dataset:", "dataset:a/b@v1", "model:abc", "model:xyz12", "run:-1", "run:x", "job:3"])
    func badReferences(text: String) {
        let error = #expect(throws: LineageError.self) { try LineageReference(parsing: text) }
        #expect(error?.code == .invalidReference || error?.code == .invalidName)
    }

    @Test("references resolve to nodes; an ambiguous model prefix is a conflict")
    func resolveReferences() throws {
        let database = try LineageChain.makeDatabase()
        try database.write { db in
            let chain = try LineageChain.build(db)
            #expect(try LineageReference(parsing: "dataset:movielens@v1").resolve(db) == chain.trainData.node)
            #expect(try LineageReference(parsing: "dataset:movielens").resolve(db) == chain.trainData.node)
            #expect(try LineageReference(parsing: "model:\(chain.model.digest.hex.prefix(8))").resolve(db) == chain.model.node)
            #expect(try LineageReference(parsing: "artifact:\(chain.artifact.id!)").resolve(db) == chain.artifact.node)
            let absent = #expect(throws: LineageError.self) { try LineageReference(parsing: "run:999").resolve(db) }
            #expect(absent?.code == .notFound)

            // Another model whose digest shares the first four hex digits.
            let run = try Run.start(.train, jobID: nil, at: LineageChain.start, db)
            let prefix = String(chain.model.digest.hex.prefix(4))
            let twin = (0...).lazy.map { LineageChain.digest("other \($0)") }.first { $0.hex.hasPrefix(prefix) }!
            _ = try run.recordModel(digest: twin, at: LineageChain.start, db)
            let ambiguous = #expect(throws: LineageError.self) { try LineageReference(parsing: "model:\(prefix)").resolve(db) }
            #expect(ambiguous?.code == .conflict)
        }
    }

    @Test("fsck and gc see the blobs the records reference, including files of trees")
    func referencedBlobs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BlobStore(root: directory("blobs"))
        try directory.write("data/a.csv", "a")
        try directory.write("data/b.csv", "b")
        let report = try TreeSnapshot(store: store).capture(directory("data"))
        let unreferenced = try store.store(Data("orphan".utf8)).digest
        let database = try LineageChain.makeDatabase()
        let referenced = try database.write { db in
            _ = try DatasetVersion.register(dataset: "letters", manifest: report.manifest, source: directory("data"), at: LineageChain.start, db)
            return try store.references(db, from: LineageSchema.blobReferences).digests
        }
        #expect(referenced.count == 3, "the manifest and its two files")
        #expect(referenced.contains(report.rootDigest))
        #expect(try store.verify(referenced: referenced).isHealthy)

        let later = Date().addingTimeInterval(7200)
        let collected = try store.garbageCollect(referenced: referenced, gracePeriod: .seconds(3600), now: later)
        #expect(collected.removedBlobs == [unreferenced])
        #expect(try store.verify(referenced: referenced).isHealthy)
    }
}
