import Foundation
import Images
@testable import Pipeline
import Testing

/// A submission whose environment is an image: its train and predict stages are prepared
/// on the image's root filesystem, its scoring on the host's system.
@Suite("Jobs: stages in an environment image")
struct ImageStageTests {
    /// An image record for the submission's environment, and a root filesystem's skeleton
    /// where the image store keeps it.
    func image(for submission: Submission, in fixture: PipelineJobsFixture) throws -> String {
        let store = ImageStore(stateDirectory: fixture.layout.stateDirectory)
        let record = EnvironmentImage(key: submission.environmentDigest, manifestDigest: "sha256:" + String(repeating: "ab", count: 32),
                                      base: "hk-python", baseDigest: "sha256:" + String(repeating: "cd", count: 32),
                                      environment: ["PATH=/opt/hekaton/env/bin:/usr/bin:/bin", "LANG=en_US.UTF-8", "HEKATON_STAGE=evil", "IMAGE_ONLY=1"],
                                      workingDir: nil, fromDockerfile: false)
        let rootfs = store.rootfs(record)
        for directory in ["usr/bin", "etc", "var/tmp"] {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + directory, withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin", withDestinationPath: "usr/bin")
        try FileManager.default.createDirectory(atPath: (store.recordPath(key: record.key) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: store.recordPath(key: record.key)))
        return rootfs
    }

    /// A competition of images on the base `hk-python`.
    static let imagesSection = "images:\n  base: hk-python\n  allowed: [hk-python]\n"

    /// A base layout with just what intake reads of it (its index and its manifest's blob):
    /// the stages here run on the scripted executor, which builds nothing.
    func base(in fixture: PipelineJobsFixture) throws {
        let layout = ImageStore(stateDirectory: fixture.layout.stateDirectory).base("hk-python")
        let hex = String(repeating: "cd", count: 32)
        try FileManager.default.createDirectory(atPath: layout + "/blobs/sha256", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + hex))
        try Data(#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(hex)","size":2}]}"#.utf8)
            .write(to: URL(fileURLWithPath: layout + "/index.json"))
    }

    /// `--setenv NAME VALUE` of an argv, as a dictionary.
    static func environment(_ argv: [String]) -> [String: String] {
        Dictionary(ImageSystemTests.operands(argv, "--setenv").map { ($0[0], $0[1]) }) { _, last in last }
    }

    @Test("Train and predict run on the image's root, with its Env under the stage's own variables; scoring on the host's /usr")
    func stagesOnTheImage() async throws {
        let fixture = try PipelineJobsFixture(manifest: Self.imagesSection) { _, _ in .succeed(score: 0.5) }
        try base(in: fixture)
        let submission = try fixture.submit()
        let rootfs = try image(for: submission, in: fixture)
        let venv = fixture.layout.environment(submission.environmentDigest)
        #expect(try await fixture.runJobs { try fixture.submission(submission.id!)?.state.isFinal == true })
        #expect(try fixture.submission(submission.id!)?.state == .scored)
        let ran = fixture.stages.ran
        for stage in [Stage.train, .predict] {
            let argv = try #require(ran.first { $0.stage == stage }?.argv)
            let binds = ImageSystemTests.operands(argv, "--ro-bind")
            #expect(binds.contains([rootfs + "/usr", "/usr"]) && binds.contains([rootfs + "/etc", "/etc"]), "\(stage): \(binds)")
            #expect(!binds.contains(["/usr", "/usr"]) && !binds.contains(["/etc", "/etc"]), "\(stage) sees nothing of the host's system")
            #expect(!argv.contains(venv), "\(stage) mounts no virtual environment")
            let environment = Self.environment(argv)
            #expect(environment["PATH"] == "/opt/hekaton/env/bin:/usr/bin:/bin")
            #expect(environment["IMAGE_ONLY"] == "1")
            #expect(environment["LANG"] == "C.UTF-8" && environment["HEKATON_STAGE"] == stage.rawValue, "the stage's own variables win")
            #expect(environment["PYTHONPATH"] == "/hekaton/sdk:/hekaton/submission")
        }
        let score = try #require(ran.first { $0.stage == .score }?.argv)
        #expect(ImageSystemTests.operands(score, "--ro-bind").contains(["/usr", "/usr"]), "scoring runs on the host's system")
        #expect(!score.contains { $0.hasPrefix(rootfs) }, "nothing of the participant's image reaches scoring")
        #expect(Self.environment(score)["PATH"] == "/usr/bin:/bin")
    }

    @Test("A competition without images: runs on the host's system with the virtual environment, even beside an image record")
    func venvWithoutImagesSection() async throws {
        let fixture = try PipelineJobsFixture { _, _ in .succeed(score: 0.5) }
        let submission = try fixture.submit()
        // The manifest alone decides: a record on disk never moves a competition onto images.
        _ = try image(for: submission, in: fixture)
        let venv = fixture.layout.environment(submission.environmentDigest)
        #expect(try await fixture.runJobs { try fixture.submission(submission.id!)?.state.isFinal == true })
        let train = try #require(fixture.stages.ran.first { $0.stage == .train }?.argv)
        #expect(ImageSystemTests.operands(train, "--ro-bind").contains([venv, venv]))
        #expect(ImageSystemTests.operands(train, "--ro-bind").contains(["/usr", "/usr"]))
        #expect(Self.environment(train)["PATH"] == venv + "/bin:/usr/bin:/bin")
    }

    @Test("In a competition of images, a stage whose image is not built is refused, never run on the host's system")
    func imageRequired() throws {
        let fixture = try PipelineJobsFixture { _, _ in .succeed(score: 0.5) }
        let submission = try fixture.submit()
        let pipeline = PipelineExecutor(local: fixture.stages, cluster: fixture.cluster, layout: fixture.layout,
                                        database: fixture.database, blobs: fixture.blobs, resourceGroups: nil)
        #expect(throws: PipelineError.self) { try pipeline.participantSystem(of: submission, uid: nil, imageRequired: true) }
        do {
            _ = try pipeline.participantSystem(of: submission, uid: nil, imageRequired: true)
        } catch let error as PipelineError {
            #expect(error.message.contains("the environment image \(submission.environmentDigest) of submission #\(submission.id!) is not built"), "\(error)")
        }
        _ = try image(for: submission, in: fixture)
        #expect(try pipeline.participantSystem(of: submission, uid: nil, imageRequired: true).image != nil)
    }

    @Test("The image's Env gives the stage its PATH and more, never a HEKATON_ variable")
    func environment() {
        let environment = PipelineExecutor.imageEnvironment(["PATH=/opt/hekaton/env/bin:/usr/bin", "LANG=C.UTF-8", "EMPTY=", "A=b=c",
                                                             "HEKATON_MODEL_DIR=/etc", "=nameless", "NOEQUALS"])
        #expect(environment == ["PATH": "/opt/hekaton/env/bin:/usr/bin", "LANG": "C.UTF-8", "EMPTY": "", "A": "b=c"])
        #expect(PipelineExecutor.imageEnvironment([])["PATH"] == PipelineExecutor.defaultImagePath)
    }
}
