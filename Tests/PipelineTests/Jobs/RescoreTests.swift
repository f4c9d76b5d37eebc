import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// Every standing entry re-scored on every new dataset version, through the job handlers and a
/// real worker pool: predict and score only, below everything else, once per version; the
/// history it leaves, the board as it stood on a version, and each entry's stability.
@Suite("Jobs: re-scoring on every new dataset version")
struct RescoreTests {
    func set(_ fixture: PipelineJobsFixture, _ id: Int64, score: Double) throws {
        try fixture.database.write { db in
            try db.execute(sql: "UPDATE submission SET score = ? WHERE id = ?", arguments: [score, id])
        }
    }

    /// Ada's and bob's submissions, scored 0.6 and 0.4 on the first version.
    func twoEntries(_ fixture: PipelineJobsFixture) async throws -> (Int64, Int64) {
        let ada = try #require(try fixture.submit("ada").id)
        let bob = try #require(try fixture.submit("bob").id)
        try await fixture.database.write { db in try db.execute(sql: "UPDATE submission SET participant_uid = 1002 WHERE id = ?", arguments: [bob]) }
        #expect(try await fixture.runJobs { try [ada, bob].allSatisfy { try fixture.submission($0)?.state == .scored } })
        try set(fixture, ada, score: 0.6)
        try set(fixture, bob, score: 0.4)
        return (ada, bob)
    }

    /// Registers a new version as ingestion does, starts its round and re-scoring, and runs
    /// the jobs until every re-scoring on it has ended.
    func newVersion(_ fixture: PipelineJobsFixture, _ day: String) async throws -> (DatasetVersion, [Submission]) {
        let version = try fixture.registerData(day)
        let rounds = RetrainRounds(queue: fixture.queue, layout: fixture.layout, blobs: fixture.blobs)
        try await fixture.database.write { db in
            try rounds.startForNewVersion(version, datasetName: "toy-daily", trigger: .ingest, now: Date(), db)
        }
        let rescores = { () throws -> [Submission] in
            try fixture.database.read { db in
                try Submission.filter(sql: "kind = 'rescore' AND dataset_version_id = ?", arguments: [version.id!]).order(sql: "id").fetchAll(db)
            }
        }
        #expect(try await fixture.runJobs { try rescores().allSatisfy { $0.state == .scored || $0.state == .failed } })
        return (version, try rescores())
    }

    @Test("A new version re-scores the entries' models without training; the history, the board as it stood and the stability follow")
    func rescores() async throws {
        let fixture = try PipelineJobsFixture(manifest: "rescore: {top: 5, stability: 3}") { _, kind in
            .succeed(score: kind == .rescore ? 0.3 : 0.5)
        }
        let (ada, bob) = try await twoEntries(fixture)
        let day1 = try #require(try fixture.submission(ada)?.datasetVersionID)
        let trainsBefore = fixture.stages.ran.filter { $0.stage == .train }.count

        let (day2, second) = try await newVersion(fixture, "day 2")
        #expect(second.map(\.sourceSubmissionID) == [ada, bob], "both entries, best first")
        #expect(second.allSatisfy { $0.state == .scored && $0.trainJob == nil && $0.score == 0.3 })
        #expect(second.map(\.modelID) == [try fixture.submission(ada)?.modelID, try fixture.submission(bob)?.modelID],
                "each with its entry's trained model")
        let jobs = try await fixture.database.read { db in
            try Job.fetchAll(db, keys: second.flatMap { [$0.predictJob, $0.scoreJob].compactMap { $0 } })
        }
        #expect(!jobs.isEmpty && jobs.allSatisfy { $0.priority == Rescores.priority && $0.shareKey == nil })
        // The round retrained the champion (one train); re-scoring trained nothing.
        #expect(fixture.stages.ran.filter { $0.stage == .train }.count == trainsBefore + 1)
        try set(fixture, second[0].id!, score: 0.2)
        try set(fixture, second[1].id!, score: 0.45)

        // The same version again queues nothing.
        let again = try await fixture.database.write { db in
            try Rescores.start(try #require(try CompetitionVersion.latest(of: PipelineJobsFixture.competition, db)),
                               datasetVersionID: day2.id!, queue: fixture.queue, layout: fixture.layout, now: Date(), db)
        }
        #expect(again == 0)

        let (_, third) = try await newVersion(fixture, "day 3")
        #expect(third.count == 2)
        try set(fixture, third.first { $0.sourceSubmissionID == ada }!.id!, score: 0.4)
        try set(fixture, third.first { $0.sourceSubmissionID == bob }!.id!, score: 0.5)

        let (history, onDay1, onDay2, stability) = try await fixture.database.read { db in
            let competition = try #require(try CompetitionVersion.latest(of: PipelineJobsFixture.competition, db))
            return (try Rescores.history(in: PipelineJobsFixture.competition, db),
                    try Rescores.board(competition, on: day1, board: .overall, db),
                    try Rescores.board(competition, on: day2.id!, board: .overall, db),
                    try Rescores.stability(competition, board: .overall, db))
        }
        #expect(history[ada]?.map(\.score) == [0.6, 0.2, 0.4])
        #expect(history[bob]?.map(\.score) == [0.4, 0.45, 0.5])
        #expect(onDay1.map(\.submission.id) == [ada, bob] && onDay1.map(\.score) == [0.6, 0.4])
        #expect(onDay2.map(\.submission.id) == [bob, ada] && onDay2.map(\.score) == [0.45, 0.2], "as it stood on day 2")
        let adas = try #require(stability[ada]), bobs = try #require(stability[bob])
        #expect(adas.versions == 3 && abs(adas.mean - 0.4) < 1e-9 && abs(adas.spread - (0.08 / 3).squareRoot()) < 1e-9)
        #expect(bobs.versions == 3 && abs(bobs.mean - 0.45) < 1e-9 && bobs.spread < adas.spread, "bob holds up; ada fit one day")
    }

    @Test("promotion.champion: stability retrains the entry that holds up across versions, latest the best on its own day",
          arguments: [("stability", "bob"), ("latest", "ada")])
    func championByStability(rule: String, expected: String) async throws {
        // The fixture's manifest ends inside promotion: the first line is its key.
        let fixture = try PipelineJobsFixture(manifest: "  champion: \(rule)\nrescore: {top: 5, stability: 3}") { _, _ in .succeed(score: 0.5) }
        let (ada, bob) = try await twoEntries(fixture)
        let (_, second) = try await newVersion(fixture, "day 2")
        try set(fixture, second.first { $0.sourceSubmissionID == ada }!.id!, score: 0.2)
        try set(fixture, second.first { $0.sourceSubmissionID == bob }!.id!, score: 0.45)
        // Ada leads the leaderboard (0.6 on her day); bob's mean (0.425) beats hers (0.4).
        let (third, _) = try await newVersion(fixture, "day 3")
        let retrained = try await fixture.database.read { db in
            try Submission.filter(sql: "kind = 'retrain' AND dataset_version_id = ?", arguments: [third.id!]).fetchAll(db)
        }
        #expect(retrained.map(\.participant) == [expected], "retrain_top_k 1 under champion: \(rule)")
    }

    @Test("rescore.top bounds how many entries are re-scored; top 0 re-scores none")
    func bounded() async throws {
        for (top, expected) in [(1, 1), (0, 0)] {
            let fixture = try PipelineJobsFixture(manifest: "rescore: {top: \(top)}") { _, _ in .succeed(score: 0.5) }
            let ada = try #require(try fixture.submit("ada").id)
            let bob = try #require(try fixture.submit("bob").id)
            try await fixture.database.write { db in try db.execute(sql: "UPDATE submission SET participant_uid = 1002 WHERE id = ?", arguments: [bob]) }
            #expect(try await fixture.runJobs { try [ada, bob].allSatisfy { try fixture.submission($0)?.state == .scored } })
            let (_, rescored) = try await newVersion(fixture, "day 2")
            #expect(rescored.count == expected, "top \(top)")
        }
    }
}
