import ControlAPI
import ControlClient
import Foundation
import Testing

/// The label-regeneration cheat: the Pococha example's data comes from a generator in its
/// competition directory (`host/world.py`); a submission that could import it would match
/// the seed against its training data, regenerate the evaluation day and "predict" the
/// labels. Participant stages see only what the manifest's `visibility` shows them.
@Suite("Host-private files", .serialized)
struct HostilePrivateFileTests {
    /// Files of the example that no stage running participant code may see.
    static let privateFiles = ["host/world.py", "host/fetch.py", "host/score.py", "hekaton.yaml"]

    /// A submission that lists and reads everything under `$HEKATON_HOST_DIR` in every stage
    /// it runs in, and tries to regenerate the labels with the host's generator.
    static let cheat = #"""
        import json, os, sys, tempfile
        from pathlib import Path

        import hekaton


        def look(stage):
            host = os.environ["HEKATON_HOST_DIR"]
            seen = sorted(os.path.relpath(os.path.join(d, f), host) for d, _, files in os.walk(host) for f in files)
            for name in seen:
                Path(host, name).read_bytes()
            print(f"{stage} HOST FILES " + json.dumps(seen), flush=True)
            sys.path.insert(0, os.path.join(host, "host"))
            try:
                import world
            except ImportError as error:
                print(f"{stage} NO WORLD: {error}", flush=True)
                return None
            print(f"{stage} IMPORTED WORLD", flush=True)
            return world


        class Trainer(hekaton.Trainer):
            def train(self, dataset):
                world = look("train")
                labels = {}
                if world is not None:
                    day = max(row["day"] for row in dataset.iter_csv("interactions.csv"))
                    target = world.dt.date.fromisoformat(day) + world.dt.timedelta(days=1)
                    sizes = hekaton.params().get("world", {})
                    for seed in range(1, 6):
                        out = Path(tempfile.mkdtemp())
                        world.generate(target, out, seed=seed, **sizes)
                        if (out / "train/interactions.csv").read_bytes() == dataset.read_bytes("interactions.csv"):
                            for row in hekaton.Dataset(out / "eval/labels").iter_csv("interactions.csv"):
                                labels.setdefault(row["listener_id"], {})[row["liver_id"]] = None
                            print(f"REGENERATED the labels of {len(labels)} listeners (seed {seed})", flush=True)
                            break
                (self.model_dir / "labels.json").write_text(json.dumps({k: list(v) for k, v in labels.items()}))


        class Predictor(hekaton.Predictor):
            def __init__(self, model_dir):
                super().__init__(model_dir)
                look(os.environ["HEKATON_STAGE"])
                self.labels = json.loads((self.model_dir / "labels.json").read_text())

            def predict(self, batch):
                return [self.labels.get(row["listener_id"], [])[:100] for row in batch]
        """#

    /// The paths a stage reported in its `STAGE HOST FILES [...]` line; nil when it printed none.
    func seen(_ stage: String, in log: String) throws -> [String]? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("\(stage) HOST FILES ") }) else { return nil }
        let json = line.components(separatedBy: "\(stage) HOST FILES ").last!
        return try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }

    /// The example manifest's `visibility.participant` list, as the host wrote it.
    func participantPaths(_ competition: URL) throws -> [String] {
        let text = try String(contentsOf: competition.appendingPathComponent("hekaton.yaml"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  participant: [") })
        let list = line.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test("A submission that searches the host directory for the generator finds only what is visible, cannot regenerate the labels, and the artifact sees no private file")
    func labelRegeneration() throws {
        let fixture = try AutomationFixture()
        try fixture.ingestDay("2026-12-01")
        let directory = fixture.root.appendingPathComponent("submissions/cheat")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.cheat.write(to: directory.appendingPathComponent("submission.py"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        let cheat = try fixture.submitScored(directory)

        let visible = try participantPaths(fixture.competition)
        for stage in ["train", "predict"] {
            let log = try hekatonctl(["logs", "\(cheat.id)", "--stage", stage], socket: fixture.socket).stdout
            let listing = try #require(try seen(stage, in: log), "the \(stage) stage ran the search: \(log.suffix(2000))")
            #expect(listing.sorted() == visible.sorted(), "\(stage) sees exactly visibility.participant")
            #expect(Set(listing).isDisjoint(with: Self.privateFiles), "\(stage) saw \(listing)")
            #expect(log.contains("\(stage) NO WORLD"), "\(stage): \(log.suffix(2000))")
            #expect(!log.contains("REGENERATED"), "\(stage): \(log.suffix(2000))")
            #expect(log.contains("this stage sees only \(visible.joined(separator: ", "))"), "the log says what the stage sees")
        }
        let score = try #require(cheat.score)
        #expect(score < 1.0, "predictions are not the labels")

        // The cheat is production now (the first scored model): the artifact runs its
        // Predictor beside the host's artifact code, which works without the private files.
        let built = try fixture.run("artifact", at: "2026-12-01T05:00:00+09:00")
        #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
        let artifact = try #require(try fixture.status().competitions.first?.lastArtifact)
        #expect(artifact.state == "succeeded", "\(artifact.error ?? "")")
        let log = try fixture.jobLog(artifact.job)
        let listing = try #require(try seen("artifact", in: log), "the artifact ran the search: \(log.suffix(2000))")
        #expect(Set(listing).isSuperset(of: visible + ["host/artifact.py", "host/serving_server.py"]), "\(listing)")
        #expect(Set(listing).isDisjoint(with: Self.privateFiles), "the artifact saw \(listing)")
        #expect(log.contains("artifact NO WORLD"), "\(log.suffix(2000))")

        // The example itself still runs: an honest submission is scored as before.
        let honest = try fixture.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        #expect(try #require(honest.score) > score, "popularity \(honest.score ?? 0) against the cheat's \(score)")
        try fixture.daemon.expectHealthyStore()
    }
}
