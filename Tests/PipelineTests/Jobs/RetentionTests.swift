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
}
