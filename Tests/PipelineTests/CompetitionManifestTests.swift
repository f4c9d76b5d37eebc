import Foundation
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

    /// True when `text` is refused with an error on `field` whose text holds `message`.
    static func refuses(_ text: String, field: String, _ message: String) -> Bool {
        do {
            _ = try CompetitionManifest.parse(text, file: "h.yaml")
            return false
        } catch {
            return error.field == field && error.description.contains(message)
        }
    }

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

    @Test("The artifact image without a base of its own, and what runs in it")
    func artifactImageOnTheEnvironment() throws {
        let text = Self.valid + """

            artifact:
              oci:
                prefix: srv/artifact
                entrypoint: [python3, /srv/artifact/serving/server.py, --host, 0.0.0.0]
                cmd: [--port, "8080"]
                working_dir: /srv/artifact
                env: [PYTHONUNBUFFERED=1, _X=a=b]
                port: 8080

            """
        let oci = try #require(try CompetitionManifest.parse(text, file: "hekaton.yaml").artifactPolicy.oci)
        #expect(oci == CompetitionManifest.OCIPackaging(
            base: nil, prefix: "srv/artifact", entrypoint: ["python3", "/srv/artifact/serving/server.py", "--host", "0.0.0.0"],
            cmd: ["--port", "8080"], workingDir: "/srv/artifact", environment: ["PYTHONUNBUFFERED=1", "_X=a=b"], port: 8080))
        // A manifest stored before these fields decodes, with none of them.
        let stored = #"{"base":"oci/busybox","prefix":"artifact","entrypoint":["/bin/sh"]}"#
        #expect(try JSONDecoder().decode(CompetitionManifest.OCIPackaging.self, from: Data(stored.utf8))
            == CompetitionManifest.OCIPackaging(base: "oci/busybox", entrypoint: ["/bin/sh"]))
    }

    @Test("An unusable artifact image setting names its field", arguments: [
        ("port: 0", "artifact.oci.port"), ("port: 65536", "artifact.oci.port"), ("port: http", "artifact.oci.port"),
        ("working_dir: srv", "artifact.oci.working_dir"), ("working_dir: /srv/../etc", "artifact.oci.working_dir"),
        ("env: [NOVALUE]", "artifact.oci.env"), ("env: [=x]", "artifact.oci.env"), ("env: [1A=x]", "artifact.oci.env"),
        ("env: [A B=x]", "artifact.oci.env"), ("entrypoint: []", "artifact.oci.entrypoint"), ("prefix: ../x", "artifact.oci.prefix"),
        ("ports: 8080", "artifact.oci.ports"),
    ])
    func artifactImageMistakes(line: String, field: String) throws {
        let text = Self.valid + "\nartifact:\n  oci:\n    \(line)\n"
        let error = #expect(throws: YAMLError.self) { try CompetitionManifest.parse(text, file: "h.yaml") }
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.line == Self.valid.split(separator: "\n", omittingEmptySubsequences: false).count + 3, "the line of the setting")
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
        #expect(Self.refuses(noSource, field: "schedules.ingest", "dataset source"))
        let artifactSchedule = Self.valid.replacingOccurrences(of: "schedules:\n", with: "schedules:\n  artifact: {cron: \"0 5 * * *\"}\n")
            .replacingOccurrences(of: "  artifact: [python3, host/artifact.py]\n", with: "")
        #expect(artifactSchedule != Self.valid)
        #expect(Self.refuses(artifactSchedule, field: "schedules.artifact", "artifact entrypoint"))
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
        // Values no Duration, cgroup file or Int64 can hold were once accepted and crashed the daemon.
        ("wall_time: 20m", "wall_time: \"1e300\"", "limits.train.wall_time", "from 1s to 7d"),
        ("wall_time: 20m", "wall_time: 8d", "limits.train.wall_time", "from 1s to 7d"),
        ("memory: 2GiB", "memory: 1e300GiB", "limits.default.memory", "like 512MiB"),
        ("memory: 2GiB", "memory: 8TiB", "limits.default.memory", "from 16MiB to 4TiB"),
        ("processes: 64", "processes: 9223372036854775807", "limits.default.processes", "from 1 to 100000"),
        ("cpus: 1", "cpus: 0", "limits.default.cpus", "from 1 to 1024"),
        ("cpus: 1}", "cpus: 1, output: 2TiB}", "limits.default.output", "from 1MiB to 1TiB"),
        ("max_bundle_bytes: 10MiB", "max_bundle_bytes: 1GiB", "submission.max_bundle_bytes", "from 1 to 256MiB"),
        ("retrain_top_k: 2", "retrain_top_k: 1000000", "promotion.retrain_top_k", "from 1 to 100"),
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

    // MARK: visibility

    static let files: Set<String> = ["host", "host/train.py", "host/predict.py", "host/score.py", "host/artifact.py",
                                     "host/fetch.py", "host/world.py", "host/_shared.py", "host/lib", "host/lib/a.py", "template"]
    static let visibility = """

    visibility:
      participant: [host/train.py, host/predict.py, host/_shared.py]
      artifact: [host/artifact.py, host/lib]
      private: [host/world.py]
    """

    @Test("visibility lists what participant stages see; without it, only the scripts their entrypoints name")
    func visibility() throws {
        let declared = try CompetitionManifest.parse(Self.valid + Self.visibility, file: "hekaton.yaml") { Self.files.contains($0) }
        #expect(declared.participantPaths == ["host/train.py", "host/predict.py", "host/_shared.py"])
        #expect(declared.artifactPaths == ["host/train.py", "host/predict.py", "host/_shared.py", "host/artifact.py", "host/lib"])
        #expect(declared.visibility?.privatePaths == ["host/world.py"])

        let absent = try CompetitionManifest.parse(Self.valid, file: "hekaton.yaml")
        #expect(absent.visibility == nil)
        #expect(absent.participantPaths == ["host/train.py", "host/predict.py"], "fail-closed: not the whole directory")
        #expect(absent.artifactPaths == ["host/train.py", "host/predict.py", "host/artifact.py"])
        let dotted = try CompetitionManifest.parse(Self.valid.replacingOccurrences(of: "[python3, host/predict.py]", with: "[python3, ./host//predict.py, --fast]"),
                                                   file: "hekaton.yaml")
        #expect(dotted.participantPaths == ["host/train.py", "host/predict.py"])
    }

    @Test("A manifest that would show participant code what is not theirs, or hide their stage's own script, is refused", arguments: [
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, host/score.py]",
         "visibility.participant[2]", "host/score.py is the score entrypoint's script"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host]",
         "visibility.participant[0]", "(it holds host/score.py)"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, host/fetch.py]",
         "visibility.participant[2]", "dataset.source.command"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, host/world.py]",
         "visibility.participant[2]", "host/world.py is private"),
        ("artifact: [host/artifact.py, host/lib]", "artifact: [host/artifact.py, host/world.py]",
         "visibility.artifact[1]", "host/world.py is private"),
        ("private: [host/world.py]", "private: [host/lib]",
         "visibility.artifact[1]", "host/lib is private"),
        ("private: [host/world.py]", "private: [host/lib/a.py]",
         "visibility.artifact[1]", "(it holds host/lib/a.py)"),
        ("private: [host/world.py]", "private: [host]",
         "visibility.participant[0]", "(it lies inside host)"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/_shared.py]",
         "entrypoints.predict", "add host/predict.py to visibility.participant"),
        ("artifact: [host/artifact.py, host/lib]", "artifact: [host/lib]",
         "entrypoints.artifact", "add host/artifact.py to visibility.participant or visibility.artifact"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, host/shared.py]",
         "visibility.participant[2]", "host/shared.py does not exist in the competition directory"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, ../secrets]",
         "visibility.participant[2]", "must be a relative path"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: [host/train.py, host/predict.py, /etc/shadow]",
         "visibility.participant[2]", "must be a relative path"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participant: host/train.py",
         "visibility.participant", "expected a list"),
        ("participant: [host/train.py, host/predict.py, host/_shared.py]", "participants: [host/train.py, host/predict.py]",
         "visibility.participants", "did you mean 'participant'?"),
        ("template: template", "template: host",
         "submission.template", "participants would see host (it holds host/score.py)"),
        ("  score: [python3, host/score.py]", "  score: [python3, host/scroe.py]",
         "entrypoints.score", "host/scroe.py does not exist in the competition directory; create it or fix the path"),
        ("command: [python3, host/fetch.py]", "command: [python3, ../fetch.py]",
         "dataset.source.command", "../fetch.py does not exist in the competition directory"),
        ("  score: [python3, host/score.py]", "  score: [python3, host/train.py, --score]",
         "visibility.participant[0]", "host/train.py is the score entrypoint's script"),
    ] as [(String, String, String, String)])
    func visibilityRefusals(find: String, replace: String, field: String, message: String) throws {
        let original = Self.valid + Self.visibility
        let text = original.replacingOccurrences(of: find, with: replace)
        #expect(text != original)
        let fieldKey = field.split(separator: ".").last!.split(separator: "[").first!
        // `artifact:` is a key of entrypoints and of visibility: the last one is visibility's.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func isKey(_ line: Substring) -> Bool { line.trimmingCharacters(in: .whitespaces).hasPrefix("\(fieldKey):") }
        let expectedLine = (field.hasPrefix("visibility.") ? lines.lastIndex(where: isKey) : lines.firstIndex(where: isKey)).map { $0 + 1 }
        do {
            _ = try CompetitionManifest.parse(text, file: "/c/hekaton.yaml") { Self.files.contains($0) }
            Issue.record("accepted: \(replace)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.line == expectedLine, "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("Without the key, an entrypoint for participants that runs the scoring script is refused too")
    func defaultVisibilityRefusal() throws {
        let text = Self.valid.replacingOccurrences(of: "predict: [python3, host/predict.py]", with: "predict: [python3, host/fetch.py, --predict]")
        #expect(text != Self.valid)
        #expect(Self.refuses(text, field: "entrypoints.predict", "host/fetch.py is the ingestion source's script"))
    }

    @Test("Visible paths are bounded in number and length")
    func visibilityBounds() throws {
        let many = (0...CompetitionManifest.maximumVisiblePaths).map { "host/f\($0).py" }
        let tooMany = Self.valid + "\nvisibility:\n  participant: [host/train.py, host/predict.py, \(many.joined(separator: ", "))]\n"
        #expect(Self.refuses(tooMany, field: "visibility.participant", "at most \(CompetitionManifest.maximumVisiblePaths)"))
        let long = "host/" + String(repeating: "x", count: CompetitionManifest.maximumVisiblePathBytes)
        let tooLong = Self.valid + "\nvisibility:\n  private: [\(long)]\n"
        #expect(Self.refuses(tooLong, field: "visibility.private[0]", "bytes long"))
        let fits = Self.valid + "\nvisibility:\n  participant: [host/train.py, host/predict.py, \(many.dropLast(3).joined(separator: ", "))]\n"
        #expect(try CompetitionManifest.parse(fits, file: "h.yaml").participantPaths.count == CompetitionManifest.maximumVisiblePaths)
    }

    @Test("images: names the base, the images a Dockerfile may use and the build's limits; without it, no images")
    func images() throws {
        #expect(try CompetitionManifest.parse(Self.valid, file: "h.yaml").images == nil)
        let text = Self.valid + "\nimages:\n  base: hk-python\n  allowed: [hk-cuda, hk-python]\n  build: {wall_time: 15m, memory: 3GiB}\n"
        let policy = try #require(try CompetitionManifest.parse(text, file: "h.yaml").images)
        #expect(policy.base == "hk-python")
        #expect(policy.allowed == ["hk-python", "hk-cuda"])
        #expect(policy.buildLimits.wallTimeSeconds == 15 * 60)
        #expect(policy.buildLimits.memoryBytes == 3 << 30)
        let defaults = try #require(try CompetitionManifest.parse(Self.valid + "\nimages: {base: hk-python}\n", file: "h.yaml").images)
        #expect(defaults.allowed == ["hk-python"])
        #expect(defaults.buildLimits.wallTimeSeconds == 30 * 60)
        #expect(defaults.buildLimits.memoryBytes == 4 << 30)
    }

    @Test("Mistakes in images: name the key", arguments: [
        ("  base: hk-python\n", "", "images.base", "missing required key 'base'"),
        ("  base: hk-python\n", "  base: Hk/Python\n", "images.base", "not a valid base image name"),
        ("  allowed: [hk-python]\n", "  allowed: [\"../etc\"]\n", "images.allowed", "not a valid base image name"),
        ("  allowed: [hk-python]\n", "  alowed: [hk-python]\n", "images.alowed", "did you mean 'allowed'?"),
        ("wall_time: 15m", "wall_time: forever", "images.build.wall_time", "like 90s"),
        ("wall_time: 15m", "wall_time: 8d", "images.build.wall_time", "from 1s to 7d"),
        ("memory: 4GiB", "memory: 1MiB", "images.build.memory", "from 16MiB to 4TiB"),
        ("memory: 4GiB", "cpus: 4", "images.build.cpus", "wall_time"),
    ] as [(String, String, String, String)])
    func imageMistakes(find: String, replace: String, field: String, message: String) throws {
        let section = "\nimages:\n  base: hk-python\n  allowed: [hk-python]\n  build: {wall_time: 15m, memory: 4GiB}\n"
        let text = Self.valid + section.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.valid + section)
        #expect(Self.refuses(text, field: field, message), "\(replace)")
    }

    @Test("retention: overrides the daemon's runs and dataset_versions for this competition; without it, the daemon's stand")
    func retention() throws {
        #expect(try CompetitionManifest.parse(Self.valid, file: "h.yaml").retention == nil)
        let manifest = try CompetitionManifest.parse(Self.valid + "\nretention: {runs: 3d, dataset_versions: 14}\n", file: "h.yaml")
        #expect(manifest.retention == .init(runsSeconds: 3 * 86400, datasetVersions: 14))
        let daemon = RetentionPolicy(runsSeconds: 86400, datasetVersions: 0)
        #expect(daemon.applying(manifest.retention) == RetentionPolicy(runsSeconds: 3 * 86400, datasetVersions: 14))
        let partial = try CompetitionManifest.parse(Self.valid + "\nretention:\n  dataset_versions: 0\n", file: "h.yaml")
        #expect(daemon.applying(partial.retention) == daemon, "a key left out is the daemon's")
        #expect(RetentionPolicy() == RetentionPolicy(runsSeconds: 7 * 86400, datasetVersions: 0), "a week of runs; every version's data")
    }

    @Test("Mistakes in retention: name the key and what to write", arguments: [
        ("runs: 3d", "runs: 0s", "retention.runs", "from 1s to 3650d"),
        ("runs: 3d", "runs: 3651d", "retention.runs", "from 1s to 3650d"),
        ("runs: 3d", "runs: forever", "retention.runs", "like 7d or 12h"),
        ("runs: 3d", "runs: \"1e300\"", "retention.runs", "from 1s to 3650d"),
        ("runs: 3d", "runs: -1d", "retention.runs", "like 7d"),
        ("dataset_versions: 14", "dataset_versions: -1", "retention.dataset_versions", "0 to keep all"),
        ("dataset_versions: 14", "dataset_versions: 10001", "retention.dataset_versions", "out of range 0...10000"),
        ("dataset_versions: 14", "dataset_versions: many", "retention.dataset_versions", "whole number"),
        ("dataset_versions: 14", "dataset_versions: 1.5", "retention.dataset_versions", "whole number"),
        ("dataset_versions: 14", "keep: 14", "retention.keep", "known keys here: runs, dataset_versions"),
        ("dataset_versions: 14", "dataset_version: 14", "retention.dataset_version", "did you mean 'dataset_versions'?"),
    ] as [(String, String, String, String)])
    func retentionMistakes(find: String, replace: String, field: String, message: String) throws {
        let section = "\nretention:\n  runs: 3d\n  dataset_versions: 14\n"
        let text = Self.valid + section.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.valid + section)
        #expect(Self.refuses(text, field: field, message), "\(replace)")
    }
}

@Suite("A competition's webhooks in its manifest")
struct ManifestWebhookTests {
    static let section = """

    visibility:
      participant: [host/train.py, host/predict.py, host/_shared.py]
      private: [host/world.py, secrets]
    webhooks:
      - {name: ops, url: "https://hooks.example.com/h", secret_file: ./secrets/ops.secret, kinds: [round.decided]}
      - {name: chat, url: "https://hooks.slack.com/services/T/B/X", format: slack}
    """
    static let files = CompetitionManifestTests.files.union(["secrets", "secrets/ops.secret", "host/open.secret"])

    func parse(_ text: String) throws -> CompetitionManifest {
        try CompetitionManifest.parse(CompetitionManifestTests.valid + text, file: "hekaton.yaml") { Self.files.contains($0) }
    }

    @Test("webhooks: read like the daemon's, with the secret a private file of the competition directory")
    func valid() throws {
        let webhooks = try #require(try parse(Self.section).webhooks)
        #expect(webhooks.map(\.name) == ["ops", "chat"])
        #expect(webhooks[0].secretFile == "secrets/ops.secret" && webhooks[0].kinds == [.roundDecided] && webhooks[0].competitions == nil)
        #expect(webhooks[1].format == .slack && webhooks[1].secretFile == nil)
        #expect(try CompetitionManifest.parse(CompetitionManifestTests.valid, file: "h.yaml").webhooks == nil)
    }

    @Test("A secret participants could see, outside the directory or missing, a competitions key, a bad URL or name: refused, naming the field", arguments: [
        ("private: [host/world.py, secrets]", "private: [host/world.py]", "is not private"),
        ("./secrets/ops.secret", "/etc/hekaton/ops.secret", "is not a path inside the competition directory"),
        ("./secrets/ops.secret", "../ops.secret", "is not a path inside the competition directory"),
        ("./secrets/ops.secret", "secrets/other.secret", "does not exist in the competition directory"),
        ("format: slack}", "format: slack, competitions: [other]}", "competitions"),
        ("https://hooks.example.com/h", "ftp://hooks.example.com/h", "is not an http or https URL"),
        ("name: chat", "name: Chat!", "is not a valid webhook name"),
        ("name: chat", "name: ops", "a second webhook named 'ops'"),
        ("kinds: [round.decided]", "kinds: [round.won]", "unknown event kind 'round.won'"),
    ])
    func refused(find: String, replace: String, message: String) {
        let text = Self.section.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.section)
        #expect { try parse(text) } throws: { "\($0)".contains(message) }
    }
}
