import ControlAPI
import ControlClient
import Foundation
import TestSupport
import Testing

/// Nothing lost, nothing silently wrong: gc keeps everything the records reference, and bytes
/// that went bad in the blob store are caught where they are used and told as a storage error.
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

    /// Puts content no record references into the store, under its true name.
    func storeOrphan(_ daemon: DaemonUnderTest) throws -> String {
        let file = daemon.root.appendingPathComponent("orphan").path
        try "nothing references me\n".write(toFile: file, atomically: true, encoding: .utf8)
        let hex = try sha256(file)
        let path = blobPath(hex, daemon)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: path)
        return "sha256:" + hex
    }

    @Test("gc with no grace, once every kind of record exists, removes only garbage: the template is served, another submission is scored, the artifact is rebuilt")
    func gcKeepsEverythingReferenced() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        let champion = try f.submitScored(Self.popularity)
        #expect(try f.status().competitions.first?.production?.submission == champion.id, "the first scored submission is production")
        let nightly = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        try #require(nightly.status == 0, "\(nightly.stdout)\(nightly.stderr)")
        #expect(try f.status().competitions.first?.lastArtifact?.state == "succeeded")
        let orphan = try storeOrphan(f.daemon)

        let collected = try hekatonctl(["gc", "--grace", "0s", "--json"], socket: f.socket)
        try #require(collected.status == 0, "\(collected.stderr)")
        let report = try JSONDecoder().decode(GCReport.self, from: Data(collected.stdout.utf8))
        #expect(report.removedBlobs == [orphan], "only the orphan was garbage")
        try f.daemon.expectHealthyStore()

        let (head, template) = try f.daemon.client.raw("GET", "/v1/competitions/\(f.name)/template")
        #expect(head.status == 200, "\(String(decoding: template, as: UTF8.self))")
        let second = try f.submitScored(try f.participant("second", trainPrelude: "        pass  # a bundle of its own"))
        #expect(second.score != nil)
        let rebuilt = try f.run("artifact", at: "2026-12-02T05:00:00+09:00")
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        #expect(try f.status().competitions.first?.lastArtifact?.state == "succeeded")
        try f.daemon.expectHealthyStore()
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

        let fsck = try hekatonctl(["fsck", "--json"], socket: f.socket)
        #expect(fsck.status == 1)
        let report = try JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8))
        #expect(report.corrupted.map(\.path) == [blob])
        #expect(report.corrupted.first?.usedBy == "file train/interactions.csv of dataset \(AutomationFixture.dataset)@2026-12-01")
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
