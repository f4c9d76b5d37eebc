import ControlAPI
import ControlClient
import Foundation
import Testing
import TestSupport

/// Participant code in its environment image with the real daemon: train, predict and the
/// nightly artifact run on the image's system, scoring on the host's.
@Suite("Stages in environment images end to end", .serialized, .enabled(if: ImageFixture.runnable, ImageFixture.skipReason))
struct ImageEndToEndTests {
    /// Module-level code of a submission: says, in each stage's log, which system imported it
    /// (an image's interpreter is the environment the build made at /opt/hekaton/env; on the
    /// host it is a virtual environment under the state directory).
    static let whereabouts = """

        import os as _os, sys as _sys
        _system = "image" if _sys.prefix == "/opt/hekaton/env" and not _os.path.exists("/usr/bin/bwrap") else "host"
        print(f"SUBMISSION IMPORTED ON {_system} IN {_os.environ.get('HEKATON_STAGE')}", flush=True)
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
        let f = try AutomationFixture(images: true)
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
        let f = try AutomationFixture(images: true, edit: { $0 + "executors:\n  train: slurm\n" })
        try f.ingestDay("2026-12-01")
        let scored = try f.submitScored(try Self.whereaboutsSubmission(f))
        let train = try f.job(try #require(scored.jobs["train"]))
        #expect(train.executor == "slurm" && train.clusterState == "COMPLETED", "\(train.executor ?? "-") \(train.clusterState ?? "-")")
        let log = try f.jobLog(train.id)
        #expect(log.contains("SUBMISSION IMPORTED ON image IN train"), "\(log.suffix(600))")
    }

    @Test("The regulars example, built from its own Dockerfile, is scored in its image, and the nightly image serves that night's batch recommendations")
    func nightlyImageServes() throws {
        let f = try AutomationFixture(images: true)
        try f.ingestDay("2026-12-01")
        let scored = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/regulars"))
        let train = try f.jobLog(try #require(scored.jobs["train"]))
        #expect(!train.contains("sqlite3 tool is missing"), "\(train.suffix(600))")
        let built = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        try #require(built.status == 0, "\(built.stdout)\(built.stderr)")
        let artifact = try #require(try f.status().competitions.first?.lastArtifact)
        let artifactLog = try f.jobLog(artifact.job)
        try #require(artifact.state == "succeeded", "\(artifact.error ?? "") \(artifactLog.suffix(800))")

        // Started as its OCI config says (umoci and bubblewrap: podman cannot run here).
        let exported = f.root.appendingPathComponent("state/artifacts/pococha/latest")
        let port = try HTTPProbe.freePort()
        let server = try RunningImage(exported.appendingPathComponent("oci").path + ":2026-12-01", arguments: ["--port", "\(port)"],
                                      cache: f.root.appendingPathComponent("run-image").path, log: f.root.appendingPathComponent("server.log").path)
        defer { server.stop() }
        try server.waitUntilHealthy(port: port, timeout: .seconds(180))
        let batch = try String(contentsOf: exported.appendingPathComponent("files/recommendations.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        try #require(batch.count > 100, "\(batch.count) listeners")
        var distinct = Set<[String]>()
        for line in [batch[0], batch[1], batch[batch.count / 2], batch[batch.count - 1]] {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let listener = try #require(record["listener_id"] as? String)
            let expected = try #require(record["livers"] as? [String])
            let response = try HTTPProbe.get(port: port, path: "/recommend?listener=\(listener)")
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect(answer?["livers"] as? [String] == expected, "listener \(listener)")
            distinct.insert(expected)
        }
        // regulars is personal: the same list for everyone would not show the model being served.
        #expect(distinct.count > 1, "\(distinct)")
    }
}
