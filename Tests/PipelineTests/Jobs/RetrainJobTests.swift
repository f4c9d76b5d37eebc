import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// The periodic retraining job through its handler: its record starts a round on the latest
/// data, whose retrain and evaluation run as stages, and the round's decision is recorded.
@Suite("Jobs: retraining rounds")
struct RetrainJobTests {
    /// A scored submission in production, a new dataset version, and the retraining job enqueued.
    func roundAfterNewData(retrained: Double, tolerance: Double = 0.01) async throws -> (PipelineJobsFixture, Submission, RetrainRound) {
        let fixture = try PipelineJobsFixture(tolerance: tolerance) { _, kind in
            .succeed(score: kind == .retrain ? retrained : 0.5)
        }
        let id = try #require(try fixture.submit().id)
        #expect(try await fixture.runJobs { try fixture.submission(id)?.state == .scored })
        let champion = try #require(try fixture.submission(id))
        let newData = try fixture.registerData("day 2")
        let retrain = try fixture.queue.enqueue(JobSpec(
            kind: .retrain, argv: ["hekatond", "retrain", PipelineJobsFixture.competition],
            labels: [AutomationTask.competitionLabel: PipelineJobsFixture.competition])).job
        let decided = { () throws -> RetrainRound? in
            try fixture.database.read { db in
                try RetrainRound.filter(sql: "unique_key LIKE ? AND state != 'running'", arguments: ["%:job:\(retrain.id)"]).fetchOne(db)
            }
        }
        #expect(try await fixture.runJobs { try decided() != nil })
        let round = try #require(try decided())
        #expect(round.datasetVersionID == newData.id)
        #expect(round.trigger == .schedule)
        return (fixture, champion, round)
    }

    func members(_ fixture: PipelineJobsFixture, of round: RetrainRound) throws -> [Submission] {
        try fixture.database.read { db in try Submission.filter(sql: "round_id = ?", arguments: [round.id!]).order(sql: "id").fetchAll(db) }
    }

    @Test("A round retrains the champion on new data, evaluates production on it, and promotes the better retrained model")
    func promotes() async throws {
        let (fixture, champion, round) = try await roundAfterNewData(retrained: 0.7)
        let members = try members(fixture, of: round)
        #expect(members.map(\.kind) == [.retrain, .evaluate])
        #expect(members.allSatisfy { $0.sourceSubmissionID == champion.id && $0.datasetVersionID == round.datasetVersionID })
        #expect(members.allSatisfy { $0.state == .scored })
        let memberJobs = members.flatMap { [$0.buildJob, $0.trainJob, $0.predictJob, $0.scoreJob].compactMap { $0 } }
        let shares = try await fixture.database.read { db in try Job.fetchAll(db, keys: memberJobs).map(\.shareKey) }
        #expect(!shares.isEmpty && shares.allSatisfy { $0 == nil }, "the host's round keeps its place: no share")
        #expect(round.state == .promoted, "\(round.decision ?? "")")
        #expect(round.bestScore == 0.7)
        #expect(round.productionScore == 0.5)
        #expect(round.decision?.contains("retrained #\(members[0].id!) scored 0.7000 against production's 0.5000") == true, "\(round.decision ?? "")")
        let production = try await fixture.database.read { db in try Promotion.current(PipelineJobsFixture.competition, db) }
        #expect(production?.roundID == round.id)
        #expect(production?.modelID == members[0].modelID)
        #expect(production?.modelID != champion.modelID)
        #expect(fixture.stages.ran.filter { $0.stage == .train }.count == 2, "the champion, then its retrain; the evaluation trains nothing")
    }

    @Test("A round keeps production when the retrained model is worse by more than the tolerance")
    func keeps() async throws {
        let (fixture, champion, round) = try await roundAfterNewData(retrained: 0.3)
        #expect(round.state == .kept)
        #expect(round.decision?.hasPrefix("rejected: retrained #") == true, "\(round.decision ?? "")")
        #expect(round.bestScore == 0.3)
        let production = try await fixture.database.read { db in try Promotion.current(PipelineJobsFixture.competition, db) }
        #expect(production?.modelID == champion.modelID)
        #expect(production?.roundID == nil)
    }
}
