import Foundation
import GRDB
import Lineage
@testable import Pipeline
import Scheduler
import Testing

/// A submission's stages through their handler, run → record, on the scripted executor.
@Suite("Jobs: stages")
struct StageJobTests {
    @Test("A submission's stages record its model, predictions and score, and the build runs the command its job stores")
    func scored() async throws {
        let fixture = try PipelineJobsFixture { _, _ in .succeed(score: 0.42) }
        let id = try #require(try fixture.submit().id)
        #expect(try await fixture.runJobs { try fixture.submission(id)?.state.isFinal == true })
        let submission = try #require(try fixture.submission(id))
        #expect(submission.state == .scored, "\(submission.error ?? "")")
        #expect(submission.score == 0.42)
        let modelID = try #require(submission.modelID)
        let jobs = [submission.buildJob, submission.trainJob, submission.predictJob, submission.scoreJob].compactMap { $0 }
        let (kinds, runs, predictions, score, production) = try await fixture.database.read { db in
            (try Job.fetchAll(db, keys: jobs).map(\.kind),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lineage_run WHERE job_id IN (\(jobs.map(String.init).joined(separator: ",")))"),
             try Artifact.predictions(of: submission, db),
             try Double.fetchOne(db, sql: "SELECT value FROM lineage_score WHERE model_id = ?", arguments: [modelID]),
             try Promotion.current(PipelineJobsFixture.competition, db))
        }
        #expect(kinds == [.stage, .stage, .stage, .stage])
        let shares = try await fixture.database.read { db in try Job.fetchAll(db, keys: jobs).map(\.shareKey) }
        #expect(shares == Array(repeating: "participant:ada", count: 4), "a participant's stages take turns in their share")
        #expect(runs == 4, "one lineage run per stage")
        #expect(predictions != nil)
        #expect(score == 0.42)
        #expect(production?.modelID == modelID, "the first scored submission is production")
        let build = try #require(try fixture.job(submission.buildJob))
        #expect(build.argv.first == "/bin/sh")
        #expect(fixture.stages.ran.first { $0.stage == .build }?.argv == build.argv, "the stored command is the one that ran")
        #expect(fixture.stages.ran.map(\.stage) == [.build, .train, .predict, .score])
    }

    @Test("A stage the manifest sends to the cluster runs on the injected cluster executor, its limits asked as resources")
    func onTheCluster() async throws {
        let fixture = try PipelineJobsFixture(manifest: """
            limits:
              train: {memory: 3GiB, cpus: 2, gpus: 1}
            executors:
              train: slurm
            """) { _, _ in .succeed(score: 0.6) }
        let id = try #require(try fixture.submit().id)
        #expect(try await fixture.runJobs { try fixture.submission(id)?.state.isFinal == true })
        #expect(try fixture.submission(id)?.state == .scored)
        #expect(fixture.cluster.ran.map(\.stage) == [.train])
        #expect(fixture.cluster.ran.first?.resources == ExecutionResources(cpus: 2, memoryBytes: 3 << 30, gpus: 1))
        #expect(fixture.cluster.ran.first?.argv.contains("--unshare-all") == true, "the same sandboxed command as on this host")
        #expect(fixture.stages.ran.map(\.stage) == [.build, .predict, .score])
        #expect(try fixture.job(try fixture.submission(id)?.trainJob)?.executor == "slurm")
    }

    @Test("A build job enqueued before builds stored their command runs today's build command")
    func legacyBuild() async throws {
        let fixture = try PipelineJobsFixture { _, _ in .succeed(score: 0.5) }
        let submission = try fixture.submit()
        let buildJob = try #require(submission.buildJob)
        try await fixture.database.write { db in
            try db.execute(sql: #"UPDATE job SET argv = '["/usr/bin/python3", "-m", "venv", "/envs/x"]' WHERE id = ?"#, arguments: [buildJob])
        }
        #expect(try await fixture.runJobs { try fixture.submission(submission.id!)?.state.isFinal == true })
        #expect(try fixture.submission(submission.id!)?.state == .scored)
        #expect(fixture.stages.ran.first?.argv.first == "/bin/sh")
        #expect(fixture.stages.ran.first?.argv.last == fixture.layout.path(submission.id!, "bundle/requirements.txt"))
    }

    @Test("A stage that fails ends the submission with the failing stage and why", arguments: [
        (Stage.train, ScriptedStages.Play.exit(1), "the train stage failed"),
        (Stage.score, ScriptedStages.Play.leaveNothing, "wrote no metrics.json"),
        (Stage.predict, ScriptedStages.Play.leaveNothing, "wrote no predictions.jsonl"),
    ])
    func failed(stage: Stage, play: ScriptedStages.Play, message: String) async throws {
        let fixture = try PipelineJobsFixture { played, _ in played == stage ? play : .succeed(score: 0.5) }
        let id = try #require(try fixture.submit().id)
        #expect(try await fixture.runJobs { try fixture.submission(id)?.state.isFinal == true })
        let submission = try #require(try fixture.submission(id))
        #expect(submission.state == .failed)
        #expect(submission.failedStage == stage.rawValue)
        #expect(submission.error?.contains(message) == true, "error: \(submission.error ?? "none")")
        #expect(submission.score == nil)
        #expect(fixture.stages.ran.filter { $0.stage == stage }.count == 2, "a stage has two attempts")
        let later = Stage.allCases.drop { $0 != stage }.dropFirst()
        #expect(fixture.stages.ran.allSatisfy { !later.contains($0.stage) }, "no stage after the failed one runs")
    }
}
