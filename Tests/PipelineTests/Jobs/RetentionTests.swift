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

    /// The state directory's disk use: allocated blocks, each hard-linked file once, links not
    /// followed (as `hekatonctl status` measures it).
    static func diskUse(_ path: String) -> Int64 {
        var seen: Set<[UInt64]> = []
        var total: Int64 = 0
        func add(_ path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            if seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { total += Int64(info.st_blocks) * 512 }
        }
        add(path)
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator { add(path + "/" + relative) }
        }
        return total
    }

    /// Thirty days, each a new dataset version (its round: the champion retrained, production
    /// evaluated, the entry re-scored; promotion), then the nightly artifact through its schedule,
    /// then the pruner's retention pass and `gc`, as a host's daily cron would run it. Returns
    /// the state directory's disk use at the end of each day, and the artifact builds made.
    func month(retention: String, dataBytes: Int, artifactBytes: Int, keepArtifacts: Int) async throws -> (use: [Int64], builds: Int) {
        let clock = ManualClock(Date())
        let fixture = try PipelineJobsFixture(
            manifest: """
                artifact: {keep: \(keepArtifacts)}
                schedules:
                  artifact: {cron: "0 5 * * *"}
                \(retention)
                """,
            entrypoints: "  artifact: [python3, host/artifact.py]", clock: clock) { _, _ in .succeed(score: 0.5) }
        fixture.stages.artifactBytes.withLock { $0 = artifactBytes }
        let ada = try #require(try fixture.submit("ada"))
        #expect(try await fixture.runJobs(timeout: Self.patience) { try fixture.submission(ada.id!)?.state == .scored })
        // The build stage is played: its environment is made here, as it would have been.
        let environment = fixture.layout.environment(ada.environmentDigest)
        try FileManager.default.createDirectory(atPath: environment, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: environment + "/.complete", contents: nil)

        let rounds = RetrainRounds(queue: fixture.queue, layout: fixture.layout, blobs: fixture.blobs)
        let book = ScheduleBook(queue: fixture.queue)
        let sweep = RetentionSweep(database: fixture.database, stateDirectory: fixture.layout.stateDirectory, defaults: RetentionPolicy())
        let unfinished = { () throws -> Int in
            try fixture.database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state NOT IN ('succeeded', 'dead', 'cancelled', 'upstream-failed')") ?? 0
            }
        }
        var use: [Int64] = []
        for day in 1...30 {
            clock.advance(by: Self.day)
            // As an ingestion records a new version: the version, then its round.
            let version = try fixture.registerData("day \(day)", bytes: dataBytes)
            try await fixture.database.write { db in
                try rounds.startForNewVersion(version, datasetName: "toy-daily", trigger: .ingest, now: clock.now(), db)
            }
            #expect(try await fixture.runJobs(timeout: Self.patience) { try unfinished() == 0 }, "day \(day): the round and its re-scoring end")
            _ = try await book.runNow("\(PipelineJobsFixture.competition).artifact")
            #expect(try await fixture.runJobs(timeout: Self.patience) { try unfinished() == 0 }, "day \(day): the artifact is built")
            _ = try await sweep.run(now: clock.now())
            let references = try await fixture.database.read { db in
                try fixture.blobs.references(db, from: LineageSchema.blobReferences + PipelineSchema.blobReferences)
            }
            _ = try fixture.blobs.garbageCollect(references, gracePeriod: .zero, now: clock.now())
            #expect(try fixture.blobs.verify(referenced: references.digests).isHealthy, "day \(day): every referenced blob is there")
            use.append(Self.diskUse(fixture.layout.stateDirectory))
        }
        let builds = try await fixture.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_artifact WHERE state IN ('succeeded', 'pruned')") ?? 0
        }
        let promotions = try await fixture.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_promotion") ?? 0
        }
        #expect(promotions > 1, "retrained models were promoted: production moved with the data")
        return (use, builds)
    }

    @Test("Retention and limits: a simulated month of daily artifacts keeps disk within the configured bound; without retention it grows past it")
    func simulatedMonth() async throws {
        let dataBytes = 512 << 10
        let artifactBytes = 128 << 10
        let keepVersions = 4
        let runsDays = 2
        let keepArtifacts = 2
        // What the settings allow at most: the data of the newest versions (run directories,
        // whose inputs are hard links to blobs, hold only the last `runs` days' versions),
        // production's version besides them, the kept artifact builds and the one being made,
        // and 2 MiB for everything small (tree manifests, models, predictions, bundles, records).
        let versionsHeld = max(keepVersions, runsDays + 1) + 1
        let bound = Int64(versionsHeld * dataBytes + (keepArtifacts + 1) * artifactBytes + (2 << 20))

        let kept = try await month(retention: "retention: {runs: \(runsDays)d, dataset_versions: \(keepVersions)}",
                                   dataBytes: dataBytes, artifactBytes: artifactBytes, keepArtifacts: keepArtifacts)
        #expect(kept.builds == 30, "an artifact every day")
        let most = try #require(kept.use.max())
        #expect(most <= bound, "with retention the state directory held at most \(most) bytes; the bound is \(bound): \(kept.use)")
        // The data does not pile up: over the month's second half less than two days' data was
        // added (what does grow, some 50 KiB a day, is what no retention prunes: each day's
        // models, predictions and records, kept for lineage).
        #expect(kept.use[29] - kept.use[14] < 2 * Int64(dataBytes), "\(kept.use)")

        let unbounded = try await month(retention: "retention: {runs: 3650d, dataset_versions: 0}",
                                        dataBytes: dataBytes, artifactBytes: artifactBytes, keepArtifacts: keepArtifacts)
        #expect(unbounded.builds == 30)
        let last = try #require(unbounded.use.last)
        #expect(last > bound, "without retention the state directory grows past the bound: \(last) of \(bound): \(unbounded.use)")
        #expect(last > 30 * Int64(dataBytes), "every day's data stays")
        #expect(unbounded.use[29] - unbounded.use[14] > 14 * Int64(dataBytes), "each day's data stays: \(unbounded.use)")
    }

    @Test("A database from before: artifact builds already beyond artifact.keep stop keeping their blobs, kept builds do not")
    func prunedArtifactsBackfilled() throws {
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        SchedulerSchema.registerMigrations(in: &migrator)
        LineageSchema.registerMigrations(in: &migrator)
        PipelineSchema.registerMigrations(in: &migrator)
        try migrator.migrate(database, upTo: "pipeline-8-selections")
        let digests = ["old files", "old image", "kept files"].map { Digest.of(Data($0.utf8)) }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        try database.write { db in
            let run = try Run.start(.artifact, jobID: 1, at: at, db)
            let artifacts = try digests.enumerated().map { index, digest in
                try run.recordArtifact(kind: index == 1 ? "oci-image" : "artifact", digest: digest, at: at, db)
            }
            var old = ArtifactBuild(competition: "toy", jobID: 1, modelID: 1, submissionID: 1, datasetVersionID: 1,
                                    lineageArtifactID: artifacts[0].id, digest: digests[0].description, ociArtifactID: artifacts[1].id,
                                    state: .pruned, at: at)
            try old.insert(db)
            var kept = ArtifactBuild(competition: "toy", jobID: 2, modelID: 1, submissionID: 1, datasetVersionID: 1,
                                     lineageArtifactID: artifacts[2].id, digest: digests[2].description, state: .succeeded, at: at)
            try kept.insert(db)
        }
        try migrator.migrate(database)
        let (pruned, referenced) = try database.read { db in
            (try Int64.fetchAll(db, sql: "SELECT id FROM lineage_artifact WHERE data_pruned_at IS NOT NULL ORDER BY id"),
             Set(try (LineageSchema.blobReferences + PipelineSchema.blobReferences).flatMap { query in
                 try String.fetchAll(db, sql: query.sql)
             }))
        }
        #expect(pruned == [1, 2], "the pruned build's files and image")
        #expect(!referenced.contains(digests[0].description) && !referenced.contains(digests[1].description))
        #expect(referenced.contains(digests[2].description), "a kept build's bytes stay")
    }
}
