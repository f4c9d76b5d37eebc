import Cron
import Foundation
import Scheduler
import StrictYAML

extension CompetitionManifest {
    public static let fileName = "hekaton.yaml"
    static let stages = ["train", "predict", "score", "artifact"]

    /// Reads `hekaton.yaml` strictly: every error names the file, line and field, with a
    /// suggestion, and nothing is published from a manifest that has one. `fileExists`, when
    /// given, says whether a relative path is in the competition directory.
    public static func parse(_ text: String, file: String,
                             fileExists: ((String) -> Bool)? = nil) throws(YAMLError) -> CompetitionManifest {
        let root = try YAMLMapping.parse(text, file: file)
        try root.allowKeys(["name", "description", "metric", "dataset", "entrypoints", "limits", "submission",
                            "parameters", "schedules", "promotion", "artifact", "executors", "visibility", "images", "phases", "teams", "rescore",
                            "retention", "webhooks"])
        let nameValue = try root.required("name")
        let name = try nameValue.string()
        guard name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw nameValue.invalid("'\(name)' is not a valid competition name",
                                    suggestion: "use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters")
        }
        let description = try root.string("description") ?? ""

        let metricMap = try root.required("metric").mapping()
        try metricMap.allowKeys(["name", "direction", "splits", "final_selections"])
        let directionValue = try metricMap.required("direction")
        let directionText = try directionValue.string()
        guard let direction = Metric.Direction(rawValue: directionText) else {
            throw directionValue.invalid("unknown direction '\(directionText)'", suggestion: "use maximize or minimize")
        }
        var splits: Metric.Splits?
        if let splitsValue = metricMap["splits"] {
            let map = try splitsValue.mapping()
            try map.allowKeys(["public", "private"])
            let publicShare = try map.required("public").double(in: 0...1)
            let privateShare = try map.required("private").double(in: 0...1)
            guard publicShare > 0, privateShare > 0, abs(publicShare + privateShare - 1) < 1e-9 else {
                throw splitsValue.invalid("the splits are public \(publicShare) and private \(privateShare), which do not add up to 1 with both above 0",
                                          suggestion: "give shares of the evaluation rows that add up to 1, like {public: 0.3, private: 0.7}")
            }
            splits = Metric.Splits(publicFraction: publicShare)
        }
        if let selectionsValue = metricMap["final_selections"] {
            guard splits != nil else {
                throw selectionsValue.invalid("final_selections is for a competition with public and private boards, and this metric has no splits",
                                              suggestion: "add splits: {public: 0.3, private: 0.7} beside it, or remove final_selections")
            }
            splits?.finalSelections = try selectionsValue.int(in: 1...Metric.Splits.maximumSelections)
        }
        let metric = Metric(name: try metricMap.required("name").string(), direction: direction, splits: splits)

        let datasetMap = try root.required("dataset").mapping()
        try datasetMap.allowKeys(["name", "train", "features", "labels", "source"])
        let dataset = DatasetLayout(name: try datasetMap.required("name").string(),
                                    train: try relativePath(datasetMap.required("train")),
                                    features: try relativePath(datasetMap.required("features")),
                                    labels: try relativePath(datasetMap.required("labels")),
                                    source: try datasetMap.mapping("source").map { m throws(YAMLError) in try datasetSource(m) })
        if dataset.labels == dataset.features || dataset.labels == dataset.train
            || dataset.features.hasPrefix(dataset.labels + "/") || dataset.train.hasPrefix(dataset.labels + "/")
            || dataset.labels.hasPrefix(dataset.features + "/") || dataset.labels.hasPrefix(dataset.train + "/") {
            throw (datasetMap["labels"]!).invalid("labels must not overlap the training data or the features",
                                                  suggestion: "keep labels in a directory of their own, like eval/labels")
        }

        let entryMap = try root.required("entrypoints").mapping()
        try entryMap.allowKeys(stages)
        let entrypoints = Entrypoints(train: try command(entryMap.required("train")),
                                      predict: try command(entryMap.required("predict")),
                                      score: try command(entryMap.required("score")),
                                      artifact: try entryMap["artifact"].map { v throws(YAMLError) in try command(v) })
        if let fileExists {
            for stage in stages {
                if let value = entryMap[stage] { try scriptsExist(value, fileExists) }
            }
            if let command = try datasetMap.mapping("source")?["command"] { try scriptsExist(command, fileExists) }
        }

        var limits = StageLimitsTable(byStage: [:], fallback: .defaults)
        if let limitsMap = try root.mapping("limits") {
            try limitsMap.allowKeys(["default"] + stages)
            if let fallback = try limitsMap.mapping("default") {
                limits.fallback = try stageLimits(fallback, base: .defaults)
            }
            for stage in stages {
                if let map = try limitsMap.mapping(stage) {
                    limits.byStage[stage] = try stageLimits(map, base: limits.fallback)
                }
            }
        }

        var rules = SubmissionRules()
        if let map = try root.mapping("submission") {
            try map.allowKeys(["max_bundle_bytes", "per_participant_per_day", "template"])
            if let value = map["max_bundle_bytes"] { rules.maxBundleBytes = try Quantity.bytes(value, in: SubmissionRules.bundleBytesRange) }
            if let value = map["per_participant_per_day"] {
                rules.perParticipantPerDay = try value.int(in: 1...10_000)
            }
            if let value = map["template"] { rules.template = try relativePath(value) }
        }

        let visibility = try visibility(try root.mapping("visibility"), entrypoints: entrypoints, entryMap: entryMap,
                                        source: dataset.source, template: try root.mapping("submission")?["template"],
                                        fileExists: fileExists)

        var parametersJSON = "{}"
        if let value = root["parameters"] {
            _ = try value.mapping()
            parametersJSON = try value.json()
        }

        var schedules: [String: ScheduleSpec] = [:]
        if let map = try root.mapping("schedules") {
            try map.allowKeys(["ingest", "retrain", "artifact"])
            for key in map.keys {
                let spec = try map.required(key).mapping()
                try spec.allowKeys(["cron", "time_zone"])
                let cronValue = try spec.required("cron")
                let cron = try cronValue.string()
                let zoneName = try spec.string("time_zone") ?? "UTC"
                let zone: TimeZone
                do { zone = try CronExpression.timeZone(named: zoneName) } catch {
                    throw (spec["time_zone"] ?? cronValue).invalid("\(error)", suggestion: "use an IANA zone such as Europe/Berlin or UTC")
                }
                do { _ = try CronExpression(cron, timeZone: zone) } catch {
                    throw cronValue.invalid("invalid cron expression '\(cron)': \(error)",
                                            suggestion: "five fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'")
                }
                schedules[key] = ScheduleSpec(cron: cron, timeZone: try spec.string("time_zone"))
            }
            if let ingest = map["ingest"], dataset.source == nil {
                throw ingest.invalid("an ingest schedule needs a dataset source",
                                     suggestion: "add dataset.source with 'directory: /path' or 'command: [python3, host/fetch.py]'")
            }
            if let artifactSchedule = map["artifact"], entrypoints.artifact == nil {
                throw artifactSchedule.invalid("an artifact schedule needs an artifact entrypoint",
                                               suggestion: "add entrypoints.artifact, like [python3, host/artifact.py]")
            }
        }

        var artifact = ArtifactPolicy()
        if let map = try root.mapping("artifact") {
            try map.allowKeys(["keep", "oci"])
            if let value = map["keep"] {
                artifact.keep = try value.int(in: 1...1000)
            }
            if let oci = try map.mapping("oci") {
                artifact.oci = try ociPackaging(oci)
            }
        }

        var promotion = PromotionPolicy()
        if let map = try root.mapping("promotion") {
            try map.allowKeys(["tolerance", "retrain_top_k", "champion"])
            if let value = map["champion"] {
                let text = try value.string()
                guard let choice = PromotionPolicy.Champion(rawValue: text) else {
                    throw value.invalid("unknown champion rule '\(text)'", suggestion: "use latest (the best score) or stability (the best mean over the latest dataset versions)")
                }
                promotion.champion = choice
            }
            if let value = map["tolerance"] {
                promotion.tolerance = try value.double(in: 0...1e12)
            }
            if let value = map["retrain_top_k"] {
                promotion.retrainTopK = try value.int(in: 1...100)
            }
        }

        var executors: [String: ExecutorKind]?
        if let map = try root.mapping("executors") {
            // The build stage too: it is a job like the others, though it needs PyPI. The
            // artifact runs where the daemon is, beside the artifacts it exports.
            try map.allowKeys(Stage.allCases.map(\.rawValue))
            executors = [:]
            for key in map.keys {
                let value = try map.required(key)
                let text = try value.string()
                guard let kind = ExecutorKind(rawValue: text) else {
                    throw value.invalid("unknown executor '\(text)'",
                                        suggestion: "use one of \(ExecutorKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                executors?[key] = kind
            }
        }

        let images = try root.mapping("images").map { m throws(YAMLError) in try imagePolicy(m) }
        let phases = try root["phases"].map { v throws(YAMLError) in try Self.phases(v) }
        var rescore: RescorePolicy?
        if let map = try root.mapping("rescore") {
            try map.allowKeys(["top", "stability"])
            var policy = RescorePolicy()
            if let value = map["top"] { policy.top = try value.int(in: 0...RescorePolicy.maximumTop) }
            if let value = map["stability"] { policy.stability = try value.int(in: 2...RescorePolicy.maximumStability) }
            rescore = policy
        }
        let retention = try root.mapping("retention").map { m throws(YAMLError) in try Self.retention(m) }
        var teamsFile: String?
        if let value = root["teams"] {
            let path = try relativePath(value)
            if let fileExists, !fileExists(path) {
                throw value.invalid("the teams file \(path) does not exist in the competition directory",
                                    suggestion: "write it there (team: [user, user] per line), or remove teams:")
            }
            teamsFile = path
        }
        var webhooks: [Webhook]?
        if let value = root["webhooks"] {
            let list = try Webhook.parseList(value, origin: .manifest)
            let privatePaths = visibility?.privatePaths ?? []
            for (index, webhook) in list.enumerated() {
                guard let secret = webhook.secretFile else { continue }
                let secretValue = try value.list()[index].mapping().required("secret_file")
                guard privatePaths.contains(where: { secret == $0 || secret.hasPrefix($0 + "/") }) else {
                    throw secretValue.invalid("webhook \(webhook.name)'s secret_file \(secret) is not private",
                                                    suggestion: "list it (or its directory) under visibility.private, so that no stage running participant code sees it")
                }
                if let fileExists, !fileExists(secret) {
                    throw secretValue.invalid("webhook \(webhook.name)'s secret_file \(secret) does not exist in the competition directory",
                                                    suggestion: "write the secret on its first line there")
                }
            }
            webhooks = list
        }

        return CompetitionManifest(name: name, description: description, metric: metric, dataset: dataset,
                                   entrypoints: entrypoints, limits: limits, submission: rules,
                                   parametersJSON: parametersJSON, schedules: schedules, promotion: promotion,
                                   artifact: artifact, executors: executors, visibility: visibility, images: images, phases: phases,
                                   teamsFile: teamsFile, rescore: rescore, retention: retention, webhooks: webhooks)
    }

    /// `retention: {runs: 3d, dataset_versions: 14}`: this competition's own, within the
    /// same ranges as hekatond.yaml's `retention:`.
    static func retention(_ map: YAMLMapping) throws(YAMLError) -> RetentionOverride {
        try map.allowKeys(["runs", "dataset_versions"])
        var retention = RetentionOverride()
        if let value = map["runs"] { retention.runsSeconds = try RetentionPolicy.runs(value) }
        if let value = map["dataset_versions"] { retention.datasetVersions = try RetentionPolicy.datasetVersions(value) }
        return retention
    }

    /// `artifact.oci`: without `base`, the image is built on the production model's
    /// environment image, which exists only when environments are images; the build says so
    /// when it is not.
    static func ociPackaging(_ oci: YAMLMapping) throws(YAMLError) -> OCIPackaging {
        try oci.allowKeys(["base", "base_reference", "prefix", "entrypoint", "cmd", "working_dir", "env", "port"])
        var packaging = OCIPackaging(base: nil)
        if let baseValue = oci["base"] {
            let base = try baseValue.string()
            packaging.base = base.hasPrefix("/") ? base : try relativePath(baseValue)
        }
        packaging.baseReference = try oci.string("base_reference")
        if let value = oci["prefix"] { packaging.prefix = try relativePath(value) }
        if let value = oci["entrypoint"] { packaging.entrypoint = try command(value) }
        if let value = oci["cmd"] { packaging.cmd = try value.stringList() }
        if let value = oci["working_dir"] {
            let directory = try value.string()
            guard directory.hasPrefix("/"), !directory.split(separator: "/").contains(".."), !directory.contains("\0") else {
                throw value.invalid("'\(directory)' must be an absolute path inside the image", suggestion: "like /srv/artifact")
            }
            packaging.workingDir = directory
        }
        if let value = oci["env"] {
            let entries = try value.stringList()
            for entry in entries {
                let name = entry.prefix { $0 != "=" }
                guard entry.contains("="), let first = name.first, first == "_" || (first.isASCII && first.isLetter),
                      name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                    throw value.invalid("'\(entry)' is not NAME=value", suggestion: "write entries like PORT=8080, a name of letters, digits and _")
                }
            }
            packaging.environment = entries
        }
        if let value = oci["port"] { packaging.port = try value.int(in: 1...65535) }
        return packaging
    }

    static func datasetSource(_ map: YAMLMapping) throws(YAMLError) -> DatasetSource {
        try map.allowKeys(["directory", "command", "ready_file"])
        switch (map["directory"], map["command"]) {
        case (let directory?, nil):
            let path = try directory.string()
            guard path.hasPrefix("/") else {
                throw directory.invalid("'\(path)' must be an absolute path", suggestion: "the daemon reads it, from its own working directory")
            }
            return .directory(path: path, readyFile: try map["ready_file"].map { v throws(YAMLError) in try relativePath(v) })
        case (nil, let argv?):
            if let ready = map["ready_file"] { throw ready.invalid("ready_file applies to a directory source only") }
            return .command(argv: try command(argv))
        case (_?, _?):
            throw map["command"]!.invalid("a source is a directory or a command, not both")
        case (nil, nil):
            throw YAMLError(.missingKey, file: map.file, line: map.line, field: map.path.isEmpty ? "source" : map.path,
                            message: "a dataset source needs 'directory' or 'command'",
                            suggestion: "give 'directory: /path/the/upstream/writes' or 'command: [python3, host/fetch.py]'")
        }
    }

    /// The scripts a command names must be in the competition directory, so that a typo is
    /// caught at publication and not at the first submission.
    static func scriptsExist(_ value: YAMLValue, _ fileExists: (String) -> Bool) throws(YAMLError) {
        for argument in scriptArguments(try value.stringList()) {
            guard let path = cleanRelative(argument), fileExists(path) else {
                throw value.invalid("\(argument) does not exist in the competition directory", suggestion: "create it or fix the path")
            }
        }
    }

    static func command(_ value: YAMLValue) throws(YAMLError) -> [String] {
        let argv = try value.stringList()
        guard let first = argv.first, !first.isEmpty else {
            throw value.invalid("the command is empty", suggestion: "write it as a list, like [python3, host/train.py]")
        }
        return argv
    }

    static func relativePath(_ value: YAMLValue) throws(YAMLError) -> String {
        let text = try value.string()
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !text.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
            throw value.invalid("'\(text)' must be a relative path inside the directory, without '..'")
        }
        return parts.joined(separator: "/")
    }

    static func stageLimits(_ map: YAMLMapping, base: StageLimits) throws(YAMLError) -> StageLimits {
        try map.allowKeys(["wall_time", "memory", "processes", "cpus", "gpus", "output"])
        var limits = base
        if let value = map["wall_time"] { limits.wallTimeSeconds = try Quantity.seconds(value, in: StageLimits.wallTimeRange) }
        if let value = map["memory"] { limits.memoryBytes = try Quantity.bytes(value, in: StageLimits.memoryRange) }
        if let value = map["output"] { limits.outputBytes = try Quantity.bytes(value, in: StageLimits.outputRange) }
        if let value = map["processes"] {
            limits.processes = try value.int(in: StageLimits.processesRange)
        }
        if let value = map["cpus"] {
            limits.cpus = try value.int(in: StageLimits.cpusRange)
        }
        if let value = map["gpus"] {
            limits.gpus = try value.int(in: StageLimits.gpusRange)
        }
        return limits
    }
}
