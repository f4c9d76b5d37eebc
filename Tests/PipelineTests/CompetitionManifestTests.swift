import Pipeline
import StrictYAML
import Testing

@Suite("hekaton.yaml")
struct CompetitionManifestTests {
    static let valid = """
    name: pococha
    description: Recommend livers to listeners for the next day.
    metric:
      name: recall@10
      direction: maximize
    dataset:
      name: pococha-daily
      train: train
      features: eval/features
      labels: eval/labels
      source:
        command: [python3, host/fetch.py]
    entrypoints:
      train: [python3, host/train.py]
      predict: [python3, host/predict.py]
      score: [python3, host/score.py]
      artifact: [python3, host/artifact.py]
    limits:
      default: {wall_time: 10m, memory: 2GiB, processes: 64, cpus: 1}
      train: {wall_time: 20m}
    submission:
      max_bundle_bytes: 10MiB
      per_participant_per_day: 20
      template: template
    parameters:
      k: 10
      name: "x"
    schedules:
      ingest: {cron: "0 4 * * *", time_zone: Asia/Tokyo}
    promotion:
      tolerance: 0.01
      retrain_top_k: 2
    executors:
      train: slurm
      build: local
    """

    @Test("A complete manifest is read field by field")
    func valid() throws {
        let manifest = try CompetitionManifest.parse(Self.valid, file: "hekaton.yaml")
        #expect(manifest.name == "pococha")
        #expect(manifest.metric.direction == .maximize)
        #expect(manifest.metric.isBetter(0.5, than: 0.4))
        #expect(manifest.dataset.labels == "eval/labels")
        #expect(manifest.entrypoints.train == ["python3", "host/train.py"])
        #expect(manifest.limits.limits(for: "train").wallTimeSeconds == 1200)
        #expect(manifest.limits.limits(for: "train").memoryBytes == 2 << 30, "a stage inherits the default's other limits")
        #expect(manifest.limits.limits(for: "predict").wallTimeSeconds == 600)
        #expect(manifest.submission.maxBundleBytes == 10 << 20)
        #expect(manifest.parametersJSON == #"{"k":10,"name":"x"}"#)
        #expect(manifest.schedules["ingest"]?.timeZone == "Asia/Tokyo")
        #expect(manifest.promotion.retrainTopK == 2)
        #expect(manifest.dataset.source == .command(argv: ["python3", "host/fetch.py"]))
        #expect(manifest.artifactPolicy.keep == 7, "the default")
        #expect(manifest.artifactPolicy.oci == nil)
        #expect(manifest.executor(for: "train") == .slurm)
        #expect(manifest.executor(for: "build") == .local)
        #expect(manifest.executor(for: "score") == nil, "a stage not named takes the daemon's default")
    }

    @Test("A directory source with its ready file, and the artifact's packaging")
    func automation() throws {
        let text = Self.valid
            .replacingOccurrences(of: "command: [python3, host/fetch.py]", with: "directory: /srv/exports/pococha\n    ready_file: _SUCCESS")
            + "\nartifact:\n  keep: 3\n  oci: {base: oci/busybox, base_reference: latest, prefix: srv/artifact, entrypoint: [/bin/sh]}\n"
        let manifest = try CompetitionManifest.parse(text, file: "hekaton.yaml")
        #expect(manifest.dataset.source == .directory(path: "/srv/exports/pococha", readyFile: "_SUCCESS"))
        #expect(manifest.artifactPolicy.keep == 3)
        #expect(manifest.artifactPolicy.oci == CompetitionManifest.OCIPackaging(base: "oci/busybox", baseReference: "latest",
                                                                         prefix: "srv/artifact", entrypoint: ["/bin/sh"]))
    }

    @Test("Automation mistakes are caught at publication, naming the field", arguments: [
        ("command: [python3, host/fetch.py]", "directory: exports", "dataset.source.directory", "absolute"),
        ("command: [python3, host/fetch.py]", "directory: /x\n    command: [true]", "dataset.source.command", nil),
        ("command: [python3, host/fetch.py]", "ready_file: _SUCCESS", "dataset.source", "'directory'"),
        ("cron: \"0 4 * * *\"", "cron: \"0 0 30 2 *\"", "schedules.ingest.cron", nil),
        ("cron: \"0 4 * * *\"", "cron: \"61 4 * * *\"", "schedules.ingest.cron", nil),
        ("time_zone: Asia/Tokyo", "time_zone: Mars/Olympus", "schedules.ingest.time_zone", "IANA"),
        ("  ingest: {", "  ingset: {", "schedules.ingset", "did you mean 'ingest'?"),
    ] as [(String, String, String, String?)])
    func automationMistakes(find: String, replace: String, field: String, suggestion: String?) throws {
        let text = Self.valid.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.valid)
        do {
            _ = try CompetitionManifest.parse(text, file: "/c/hekaton.yaml")
            Issue.record("accepted: \(replace)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.line != nil, "\(error)")
            if let suggestion { #expect(error.description.contains(suggestion), "\(error)") }
        }
    }

    @Test("An ingest schedule needs a source, an artifact schedule an artifact entrypoint")
    func schedulesNeedTheirParts() throws {
        let noSource = Self.valid.replacingOccurrences(of: "  source:\n    command: [python3, host/fetch.py]\n", with: "")
        #expect(noSource != Self.valid)
        #expect { try CompetitionManifest.parse(noSource, file: "h.yaml") } throws: { error in
            (error as? YAMLError)?.field == "schedules.ingest" && "\(error)".contains("dataset source")
        }
        let artifactSchedule = Self.valid.replacingOccurrences(of: "schedules:\n", with: "schedules:\n  artifact: {cron: \"0 5 * * *\"}\n")
            .replacingOccurrences(of: "  artifact: [python3, host/artifact.py]\n", with: "")
        #expect(artifactSchedule != Self.valid)
        #expect { try CompetitionManifest.parse(artifactSchedule, file: "h.yaml") } throws: { error in
            (error as? YAMLError)?.field == "schedules.artifact" && "\(error)".contains("artifact entrypoint")
        }
    }

    @Test("Bad manifests name the line, the field and what to do", arguments: [
        ("metric:", "metirc:", "metirc", "did you mean 'metric'?"),
        ("direction: maximize", "direction: upward", "metric.direction", "use maximize or minimize"),
        ("name: pococha\n", "name: Pococha/../x\n", "name", "lower-case"),
        ("labels: eval/labels", "labels: eval/features", "dataset.labels", "directory of their own"),
        ("labels: eval/labels", "labels: ../labels", "dataset.labels", nil),
        ("train: [python3, host/train.py]", "train: []", "entrypoints.train", "as a list"),
        ("wall_time: 20m", "wall_time: soon", "limits.train.wall_time", "like 90s"),
        ("max_bundle_bytes: 10MiB", "max_bundle_bytes: big", "submission.max_bundle_bytes", "like 512MiB"),
        ("retrain_top_k: 2", "retrain_top_k: 0", "promotion.retrain_top_k", nil),
        ("train: slurm", "train: kubernetes", "executors.train", "use one of local, slurm"),
        ("train: slurm", "trian: slurm", "executors.trian", "did you mean 'train'?"),
    ] as [(String, String, String, String?)])
    func invalid(find: String, replace: String, field: String, suggestion: String?) throws {
        let text = Self.valid.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.valid)
        let expectedLine = text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(replace.split(separator: "\n")[0]) }.map { $0 + 1 }
        do {
            _ = try CompetitionManifest.parse(text, file: "/c/hekaton.yaml")
            Issue.record("accepted: \(replace)")
        } catch {
            #expect(error.file == "/c/hekaton.yaml")
            #expect(error.field == field, "\(error)")
            #expect(error.line == expectedLine, "\(error)")
            if let suggestion { #expect(error.description.contains(suggestion), "\(error)") }
        }
    }

    @Test("Missing required sections are named")
    func missing() {
        #expect(throws: YAMLError.self) { try CompetitionManifest.parse("name: x\n", file: "h.yaml") }
        do {
            _ = try CompetitionManifest.parse("name: x\n", file: "h.yaml")
        } catch {
            #expect(error.code == .missingKey)
            #expect(error.field == "metric")
        }
    }
}
