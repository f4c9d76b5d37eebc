import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// `retention:`: which run directories and which dataset versions' data go, through the job
/// handlers and a real worker pool, and a simulated month whose disk use stays within what the
/// settings allow.
@Suite("Jobs: retention of run directories and old dataset versions")
struct RetentionTests {
    static let day = 86400.0
    /// How long jobs may take to end: generous, for a machine busy with other tests; a run
    /// that ends sooner returns sooner.
    static let patience = Duration.seconds(120)

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test("A finished submission's run directories go once retention.runs has passed; a queued one's, and what is no run's, stay")
    func runDirectories() async throws {
        let fixture = try PipelineJobsFixture { _, _ in .succeed(score: 0.5) }
        let ada = try #require(try fixture.submit("ada").id)
        #expect(try await fixture.runJobs(timeout: Self.patience) { try fixture.submission(ada)?.state == .scored })
        let ended = Date()
        // Bob's submission is queued (no worker runs it again); his directory as a stage began it.
        let bob = try #require(try fixture.submit("bob").id)
        let runs = fixture.layout.stateDirectory + "/runs"
        for name in ["submission-\(bob)", "notes", "ingest-999999"] {
            try FileManager.default.createDirectory(atPath: runs + "/" + name, withIntermediateDirectories: true)
        }
        #expect(exists(runs + "/submission-\(ada)") && exists(runs + "/score-\(ada)"))

        func expired(at now: Date, defaults: RetentionPolicy = RetentionPolicy()) throws -> [String] {
            let entries = RunRetention.entries(of: runs)
            return try fixture.database.read { db in try RunRetention.expired(entries, now: now, defaults: defaults, db) }
        }
        #expect(try expired(at: ended.addingTimeInterval(6 * Self.day)).isEmpty, "within the default week, all stay")
        // A job pruned by job_retention had ended; its directory's last change stands for when.
        #expect(try expired(at: ended.addingTimeInterval(7 * Self.day + 60)) == ["ingest-999999", "score-\(ada)", "submission-\(ada)"])
        #expect(try expired(at: ended.addingTimeInterval(2 * 3600), defaults: RetentionPolicy(runsSeconds: 3600))
            == ["ingest-999999", "score-\(ada)", "submission-\(ada)"])

        let report = try await RetentionSweep(database: fixture.database, stateDirectory: fixture.layout.stateDirectory,
                                              defaults: RetentionPolicy()).run(now: ended.addingTimeInterval(8 * Self.day))
        #expect(report.removedRuns == ["ingest-999999", "score-\(ada)", "submission-\(ada)"])
        #expect(!exists(runs + "/submission-\(ada)") && !exists(runs + "/score-\(ada)"))
        #expect(exists(runs + "/submission-\(bob)"), "a queued submission's directory stays, however old")
        #expect(exists(runs + "/notes"), "a name that is no run's is not ours to remove")
        #expect(report.prunedVersions.isEmpty, "dataset_versions 0 keeps every version's data")
    }

    @Test("A competition's own retention.runs wins over the daemon's, shorter or longer")
    func runsOverride() async throws {
        let fixture = try PipelineJobsFixture(manifest: "retention: {runs: 1h}") { _, _ in .succeed(score: 0.5) }
        let ada = try #require(try fixture.submit("ada").id)
        #expect(try await fixture.runJobs(timeout: Self.patience) { try fixture.submission(ada)?.state == .scored })
        let runs = fixture.layout.stateDirectory + "/runs"
        let entries = RunRetention.entries(of: runs)
        let soon = try await fixture.database.read { db in
            try RunRetention.expired(entries, now: Date().addingTimeInterval(2 * 3600), defaults: RetentionPolicy(runsSeconds: 30 * Self.day), db)
        }
        #expect(soon == ["score-\(ada)", "submission-\(ada)"])
    }

    @Test("Old versions' data is pruned beyond the newest N, except production's, a kept artifact's and a queued submission's; gc frees it and a reproduction on it is refused, naming it")
    func datasetVersions() async throws {
        // The competition keeps 2 though the daemon keeps all: its own setting wins.
        let fixture = try PipelineJobsFixture(manifest: "retention: {dataset_versions: 2}") { _, _ in .succeed(score: 0.5) }
        let day1 = try #require(try await fixture.database.read { db in try DatasetVersion.find(dataset: "toy-daily", tag: nil, db) })
        // Ada's submission on day 1 becomes production.
        let ada = try #require(try fixture.submit("ada").id)
        #expect(try await fixture.runJobs(timeout: Self.patience) { try fixture.submission(ada)?.state == .scored })
        #expect(try await fixture.database.read { db in try Promotion.current(PipelineJobsFixture.competition, db)?.submissionID } == ada)
        // Day 2's data built the artifact still kept on disk.
        let day2 = try fixture.registerData("day 2")
        try await fixture.database.write { db in
            var build = ArtifactBuild(competition: PipelineJobsFixture.competition, jobID: 999_999, modelID: 1, submissionID: ada,
                                      datasetVersionID: day2.id!, state: .succeeded, at: Date())
            try build.insert(db)
        }
        let day3 = try fixture.registerData("day 3")
        let day4 = try fixture.registerData("day 4")
        // Carol's submission on day 4 is scored (and not production: no score on day 1 to compare).
        let carol = try #require(try fixture.submit("carol").id)
        #expect(try await fixture.runJobs(timeout: Self.patience) { try fixture.submission(carol)?.state == .scored })
        // Bob's is queued on day 3, as if submitted then: nothing runs it in this test.
        let bob = try #require(try fixture.submit("bob").id)
        try await fixture.database.write { db in
            try db.execute(sql: "UPDATE submission SET dataset_version_id = ? WHERE id = ?", arguments: [day3.id!, bob])
        }
        try fixture.registerData("day 5")
        try fixture.registerData("day 6")

        func prunable(_ defaults: RetentionPolicy) throws -> [Int64] {
            try fixture.database.read { db in try DatasetRetention.prunable(defaults: defaults, db) }
        }
        #expect(try prunable(RetentionPolicy()) == [day4.id!], "day 1 production, day 2 the artifact, day 3 a queued submission; days 5 and 6 the newest two")
        #expect(try prunable(RetentionPolicy(datasetVersions: 10)) == [day4.id!], "the competition's 2 wins over the daemon's 10")

        let before = try await fixture.database.read { db in
            try fixture.blobs.references(db, from: LineageSchema.blobReferences + PipelineSchema.blobReferences)
        }
        #expect(before.digests.contains(day4.rootDigest))
        let report = try await RetentionSweep(database: fixture.database, stateDirectory: fixture.layout.stateDirectory,
                                              defaults: RetentionPolicy()).run(now: Date())
        #expect(report.prunedVersions == ["toy-daily@\(day4.tag)"])
        #expect(try prunable(RetentionPolicy()).isEmpty, "marked once")
        let pruned = try #require(try await fixture.database.read { db in try DatasetVersion.fetchOne(db, key: day4.id!) })
        #expect(pruned.dataPrunedAt != nil && pruned.rootDigest == day4.rootDigest, "the record and its digest stay")

        // gc frees the bytes; what is still referenced is all there.
        let references = try await fixture.database.read { db in
            try fixture.blobs.references(db, from: LineageSchema.blobReferences + PipelineSchema.blobReferences)
        }
        #expect(!references.digests.contains(day4.rootDigest))
        #expect(references.digests.contains(day1.rootDigest) && references.digests.contains(day2.rootDigest)
            && references.digests.contains(day3.rootDigest))
        let collected = try fixture.blobs.garbageCollect(references, gracePeriod: .zero, now: Date().addingTimeInterval(60))
        #expect(collected.removedBlobs.contains(day4.rootDigest))
        #expect(!fixture.blobs.contains(day4.rootDigest))
        #expect(try fixture.blobs.verify(referenced: references.digests).isHealthy)

        // Reproducing on the pruned version is refused with the version and the setting named;
        // on a kept one it is taken.
        let reproductions = Reproductions(queue: fixture.queue, layout: fixture.layout)
        do {
            _ = try reproductions.start(carol, callerUID: 1000, isHost: true)
            Issue.record("a reproduction on pruned data was taken")
        } catch let error as PipelineError {
            #expect(error.message.contains("toy-daily@\(day4.tag)") && error.message.contains("retention.dataset_versions"), "\(error.message)")
        }
        #expect(try reproductions.start(ada, callerUID: 1000, isHost: true).datasetVersionID == day1.id)
    }
}
