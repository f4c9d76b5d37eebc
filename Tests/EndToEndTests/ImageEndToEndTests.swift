import ControlAPI
import ControlClient
import Foundation
import Testing
import TestSupport

/// Participant code in its environment image with the real daemon: train, predict and the
/// nightly artifact run on the image's system, scoring on the host's.
@Suite("Stages in environment images end to end", .serialized, .enabled(if: ImageRootFixture.available, Comment(rawValue: ImageRootFixture.hint)))
struct ImageEndToEndTests {
    /// Module-level code of a submission: says, in each stage's log, which system imported it.
    static let whereabouts = """

        def _system() -> str:
            try:
                import hekaton_image_marker
                return hekaton_image_marker.WHERE
            except ImportError:
                return "host"

        import os as _os
        print(f"SUBMISSION IMPORTED ON {_system()} IN {_os.environ.get('HEKATON_STAGE')}", flush=True)
        """

    /// The popularity baseline with `whereabouts` at the end of its module.
    static func whereaboutsSubmission(_ f: AutomationFixture) throws -> URL {
        let directory = try f.participant("whereabouts", trainPrelude: "        pass")
        let file = directory.appendingPathComponent("submission.py")
        try (String(contentsOf: file, encoding: .utf8) + whereabouts).write(to: file, atomically: true, encoding: .utf8)
        return directory
    }

    @Test("The popularity baseline trains, predicts and builds the nightly artifact in its image, and is scored")
    func artifactInImage() throws {
        let f = try AutomationFixture()
        try f.daemon.seedEnvironmentImage()
        try f.ingestDay("2026-12-01")
        let scored = try f.submitScored(try Self.whereaboutsSubmission(f))
        for stage in ["train", "predict"] {
            let log = try f.jobLog(try #require(scored.jobs[stage]))
            #expect(log.contains("SUBMISSION IMPORTED ON image IN \(stage)"), "\(stage): \(log.suffix(600))")
        }
        let built = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        try #require(built.status == 0, "\(built.stdout)\(built.stderr)")
        let artifact = try #require(try f.status().competitions.first?.lastArtifact)
        let log = try f.jobLog(artifact.job)
        #expect(artifact.state == "succeeded", "\(artifact.error ?? "") \(log.suffix(600))")
        #expect(log.contains("SUBMISSION IMPORTED ON image IN artifact"), "\(log.suffix(600))")
        let recommendations = f.root.appendingPathComponent("state/artifacts/pococha/latest/files/recommendations.jsonl")
        #expect(((try? Data(contentsOf: recommendations)) ?? Data()).count > 0)
    }

    @Test("On the cluster the same argv runs the same image root from the shared state directory",
          .enabled(if: SlurmCluster.enabled, SlurmCluster.skipReason))
    func trainsOnSlurmInImage() throws {
        let f = try AutomationFixture(edit: { $0 + "executors:\n  train: slurm\n" })
        try f.daemon.seedEnvironmentImage()
        try f.ingestDay("2026-12-01")
        let scored = try f.submitScored(try Self.whereaboutsSubmission(f))
        let train = try f.job(try #require(scored.jobs["train"]))
        #expect(train.executor == "slurm" && train.clusterState == "COMPLETED", "\(train.executor ?? "-") \(train.clusterState ?? "-")")
        let log = try f.jobLog(train.id)
        #expect(log.contains("SUBMISSION IMPORTED ON image IN train"), "\(log.suffix(600))")
    }
}
