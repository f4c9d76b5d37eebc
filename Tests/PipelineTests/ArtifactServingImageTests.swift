import Foundation
import Images
import OCILayout
import Pipeline
import Testing
import TestSupport

/// The nightly artifact as a runnable inference-server image: Pococha's production model
/// and serving bundle on its environment image, built as the artifact job builds it, started
/// from its OCI config (umoci + bubblewrap, as `scripts/run-image`; `podman run` cannot run
/// here) and asked for recommendations that must be that night's batch ones.
@Suite("The nightly artifact image serves", .serialized)
struct ArtifactServingImageTests {
    static let example = Repository.root + "/examples/pococha"
    static let created = Date(timeIntervalSince1970: 1_796_169_600)  // 2026-12-02T00:00:00Z
    static let reference = "2026-12-02"

    /// A state directory as a daemon in image mode leaves it: the base in bases/hk-python, the
    /// production submission's environment image in the shared layout, and its record.
    struct ImageModeState {
        let directory: String
        let store: ImageStore
        let environment: EnvironmentImage

        init(in scratch: String) throws {
            directory = scratch + "/state"
            store = ImageStore(stateDirectory: directory)
            let base = store.base("hk-python")
            try ImageTools.baseImage(at: base)
            let requirements = ArtifactServingImageTests.example + "/submissions/mf/requirements.txt"
            // The key stands for the build's inputs; how part A computes it does not matter here.
            let key = "sha256:" + String(try ImageTools.run("sha256sum", [requirements]).text.prefix(64))
            let reference = store.reference(forKey: key)
            let manifest = try ImageTools.buildEnvironment(base: base, requirements: requirements, layout: store.sharedLayout,
                                                           reference: reference, scratch: scratch + "/build")
            let config = try ImageTools.config(layout: store.sharedLayout, reference: reference)["config"] as? [String: Any]
            environment = EnvironmentImage(key: key, manifestDigest: manifest, base: "hk-python",
                                           baseDigest: try ImageTools.manifestDigest(layout: base, reference: "latest"),
                                           environment: config?["Env"] as? [String] ?? [], workingDir: config?["WorkingDir"] as? String,
                                           fromDockerfile: false)
            try FileManager.default.createDirectory(atPath: (store.recordPath(key: key) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try JSONEncoder().encode(environment).write(to: URL(fileURLWithPath: store.recordPath(key: key)))
        }
    }

    /// Pococha's `mf` submission trained, and its artifact stage run, by the example's own
    /// local runner (no daemon): `recommendations.jsonl` and `serving/`.
    static func pocochaArtifact(in scratch: String) throws -> String {
        let work = scratch + "/pococha"
        let python = ImageTools.find("python3") ?? "/usr/bin/python3"
        let run = try ImageTools.run(python, [example + "/run_local.py", example + "/submissions/mf", "--artifact",
                                              "--work", work, "--listeners", "300", "--livers", "60"])
        let artifact = work + "/mf/artifact"
        guard FileManager.default.fileExists(atPath: artifact + "/serving/server.py") else {
            throw ImageRunFailure(description: "run_local.py made no serving bundle in \(artifact):\n\(run.text)")
        }
        return artifact
    }

    static func lineage(artifact: String) throws -> ArtifactImage.Lineage {
        let digest = { (path: String) throws -> String in "sha256:" + String(try ImageTools.run("sha256sum", [path]).text.prefix(64)) }
        return ArtifactImage.Lineage(competition: "pococha", datasetVersion: "pococha-daily@2026-11-28",
                                     model: try digest(artifact + "/serving/model/mf.npz"),
                                     codeBundle: try digest(artifact + "/serving/submission/submission.py"),
                                     artifact: try digest(artifact + "/recommendations.jsonl"))
    }

    /// The example's own `artifact.oci`, as the daemon reads it.
    static func packaging() throws -> CompetitionManifest.OCIPackaging {
        let file = example + "/competition/hekaton.yaml"
        let manifest = try CompetitionManifest.parse(try String(contentsOfFile: file, encoding: .utf8), file: file)
        return try #require(manifest.artifactPolicy.oci)
    }

    @Test(.enabled(if: ImageTools.enabled, Comment(rawValue: ImageTools.skipReason)), .timeLimit(.minutes(10)))
    func theImageAnswersWithTheBatchRecommendations() throws {
        // Lowercase: buildah 1.28 reads `FROM oci:PATH` with capitals in PATH as a registry name and fails.
        let scratch = NSTemporaryDirectory() + "hk-serving-image-\(UUID().uuidString.prefix(8).lowercased())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let state = try ImageModeState(in: scratch)
        let artifact = try Self.pocochaArtifact(in: scratch)
        let packaging = try Self.packaging()
        #expect(packaging.base == nil, "the example builds on the environment image")

        // As the artifact job: image mode because the production submission's environment has a record.
        let environment = try #require(try state.store.environment(key: state.environment.key))
        let base = try ArtifactImage.base(packaging, materialized: nil, environment: environment, store: state.store, competition: "pococha")
        #expect(base.layout == state.store.sharedLayout)
        let lineage = try Self.lineage(artifact: artifact)
        let image = try ArtifactImage.build(packaging, base: base, content: artifact, output: scratch + "/one/oci",
                                            reference: Self.reference, created: Self.created, lineage: lineage)

        // Deterministic: the same inputs, copied later to another place, give the same image.
        try ImageTools.run("cp", ["-a", artifact, scratch + "/copy"])
        let again = try ArtifactImage.build(packaging, base: base, content: scratch + "/copy", output: scratch + "/two/oci",
                                            reference: Self.reference, created: Self.created, lineage: lineage)
        #expect(again.manifestDigest == image.manifestDigest)
        #expect(again.layerDigest == image.layerDigest)

        // The config: what runs, where, and where it came from.
        let config = try #require(try ImageTools.config(layout: image.layout, reference: Self.reference)["config"] as? [String: Any])
        #expect(config["Entrypoint"] as? [String] == ["python3", "/srv/artifact/serving/server.py", "--host", "0.0.0.0"])
        #expect(config["Cmd"] as? [String] == ["--port", "8080"])
        #expect(config["WorkingDir"] as? String == "/srv/artifact")
        #expect((config["ExposedPorts"] as? [String: Any]).map { Array($0.keys) } == ["8080/tcp"])
        let env = try #require(config["Env"] as? [String])
        #expect(env.contains { $0.hasPrefix("PATH=/opt/hekaton/env/bin:") }, "the environment's venv first: \(env)")
        #expect(env.contains("PYTHONUNBUFFERED=1"))
        let labels = try #require(config["Labels"] as? [String: String])
        #expect(labels["dev.hekaton.environment"] == state.environment.manifestDigest)
        #expect(labels["dev.hekaton.competition"] == "pococha")
        #expect(labels["dev.hekaton.dataset-version"] == "pococha-daily@2026-11-28")
        #expect(labels["dev.hekaton.model"] == lineage.model)
        #expect(labels["dev.hekaton.code-bundle"] == lineage.codeBundle)
        #expect(labels["org.opencontainers.image.revision"] == lineage.codeBundle)
        #expect(labels["org.opencontainers.image.source"] == "hekaton:pococha")
        #expect(labels["org.opencontainers.image.created"] == "2026-12-02T00:00:00Z")
        let environmentLayers = try #require(try ImageTools.config(layout: state.store.sharedLayout, reference: base.reference!)["rootfs"]
            as? [String: Any])["diff_ids"] as? [String]
        let layers = try #require(try ImageTools.config(layout: image.layout, reference: Self.reference)["rootfs"] as? [String: Any])["diff_ids"] as? [String]
        #expect(layers == (environmentLayers ?? []) + [image.diffID], "the environment image plus one layer")

        // Started from its config; the port replaces Cmd, as `podman run IMAGE --port N` would.
        let port = try HTTPProbe.freePort()
        let server = try RunningImage("\(image.layout):\(Self.reference)", arguments: ["--port", "\(port)"],
                                      cache: scratch + "/cache", log: scratch + "/server.log")
        defer { server.stop() }
        try server.waitUntilHealthy(port: port, timeout: .seconds(180))
        #expect(server.output.contains("running python3 /srv/artifact/serving/server.py --host 0.0.0.0 --port \(port)"), "\(server.output)")

        let batch = try String(contentsOfFile: artifact + "/recommendations.jsonl", encoding: .utf8).split(separator: "\n")
        try #require(batch.count == 300)
        for line in [batch[0], batch[1], batch[150], batch[299]] {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let listener = try #require(record["listener_id"] as? String)
            let response = try HTTPProbe.get(port: port, path: "/recommend?listener=\(listener)")
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect(answer?["listener"] as? String == listener)
            #expect(answer?["livers"] as? [String] == record["livers"] as? [String], "listener \(listener)")
        }
        #expect(try HTTPProbe.get(port: port, path: "/recommend").status == 400)
        server.stop()
        #expect(!server.isRunning)
        #expect(throws: (any Error).self, "nothing answers once it is stopped") { try HTTPProbe.get(port: port, path: "/healthz", timeout: .seconds(2)) }

        let total = try ImageTools.run("du", ["-sb", "--apparent-size", image.layout]).text.prefix { $0 != "\t" }
        print("artifact image \(image.manifestDigest): \(total) bytes in its layout, the new layer \(image.layerSize) bytes")
    }

    @Test func withoutABaseOrAnEnvironmentImageTheBuildSaysWhatToDo() throws {
        let packaging = try Self.packaging()
        let error = #expect(throws: PipelineError.self) {
            try ArtifactImage.base(packaging, materialized: nil, environment: nil, store: ImageStore(stateDirectory: "/nonexistent"),
                                   competition: "pococha")
        }
        #expect(error?.message.contains("artifact.oci of competition 'pococha' names no base") == true, "\(String(describing: error))")
        #expect(error?.message.contains("declare images:") == true)
        // A base of its own wins in either mode.
        var own = packaging
        own.base = "/srv/bases/python"
        own.baseReference = "3.11"
        let base = try ArtifactImage.base(own, materialized: nil, environment: nil, store: ImageStore(stateDirectory: "/x"), competition: "pococha")
        #expect(base == ArtifactImage.Base(layout: "/srv/bases/python", reference: "3.11"))
    }
}
