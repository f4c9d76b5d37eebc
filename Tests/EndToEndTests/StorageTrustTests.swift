import ControlAPI
import ControlClient
import Foundation
import TestSupport
import Testing

/// Nothing silently wrong: bytes that went bad in the blob store are caught where they are
/// used and told as a storage error.
@Suite("The blob store: nothing lost, nothing silently wrong", .serialized)
struct StorageTrustTests {
    static let popularity = AutomationFixture.examples.appendingPathComponent("submissions/popularity")

    /// The hex SHA-256 of a file, as the blob store names it.
    func sha256(_ path: String) throws -> String {
        let result = try runCommand("/usr/bin/sha256sum", [path])
        try #require(result.status == 0, "\(result.stderr)")
        return String(result.stdout.prefix(64))
    }

    func blobPath(_ hex: String, _ daemon: DaemonUnderTest) -> String {
        daemon.stateDirectory + "/blobs/sha256/\(hex.prefix(2))/\(hex)"
    }

    @Test("a flipped byte in a dataset blob fails the next stage as a storage error naming the blob, not as the participant's error")
    func damagedDatasetBlob() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        let hex = try sha256(f.source.appendingPathComponent("train/interactions.csv").path)
        let blob = blobPath(hex, f.daemon)
        try Damage.flipByte(in: blob, at: 100)

        // The train job is tried twice (a blob restored meanwhile would let the retry succeed).
        let submission = try f.submitAndWait(Self.popularity)
        #expect(submission.state == "failed")
        #expect(submission.stage == "train")
        let error = submission.error ?? ""
        for part in ["storage error", "sha256:" + hex, blob, "hekatonctl fsck"] {
            #expect(error.contains(part), "the submission's error names \(part): \(error)")
        }
        #expect(!error.contains("UnicodeDecodeError") && !error.contains("exited with status"), "the participant's code never ran: \(error)")
        let trainJob = try f.job(try #require(submission.jobs["train"]))
        #expect(trainJob.state == "dead")
        #expect(trainJob.error?.contains("storage error") == true, "\(trainJob.error ?? "")")

    }

    @Test("a damaged template blob is never served: the template route answers a storage error naming it")
    func damagedTemplateBlob() throws {
        let f = try AutomationFixture()
        let hex = try sha256(f.competition.appendingPathComponent("template/submission.py").path)
        let blob = blobPath(hex, f.daemon)
        try Damage.flipByte(in: blob)

        let (head, body) = try f.daemon.client.raw("GET", "/v1/competitions/\(f.name)/template")
        #expect(head.status == 500)
        let problem = try JSONDecoder().decode(Problem.self, from: Data(body))
        #expect(problem.title == "Storage error")
        let detail = problem.detail ?? ""
        #expect(detail.contains("sha256:" + hex) && detail.contains(blob) && detail.contains("hekatonctl fsck"), "\(detail)")
    }
}
