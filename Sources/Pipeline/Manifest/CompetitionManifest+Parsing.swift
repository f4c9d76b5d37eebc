import Foundation
import StrictYAML

extension CompetitionManifest {
    public static let fileName = "hekaton.yaml"
    static let stages = ["train", "predict", "score", "artifact"]

    /// Reads `hekaton.yaml` strictly: every error names the file, line and field, with a
    /// suggestion, and nothing is published from a manifest that has one.
    public static func parse(_ text: String, file: String) throws(YAMLError) -> CompetitionManifest {
        let root = try YAMLMapping.parse(text, file: file)
        try root.allowKeys(["name", "description", "metric", "dataset", "entrypoints", "limits", "submission",
                            "parameters", "schedules", "promotion", "executors"])
        let nameValue = try root.required("name")
        let name = try nameValue.string()
        guard name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw nameValue.invalid("'\(name)' is not a valid competition name",
                                    suggestion: "use lower-case letters, digits and dashes, starting with a letter or digit, at most 63 characters")
        }
        let description = try root.string("description") ?? ""

        let metricMap = try root.required("metric").mapping()
        try metricMap.allowKeys(["name", "direction"])
        let directionValue = try metricMap.required("direction")
        let directionText = try directionValue.string()
        guard let direction = Metric.Direction(rawValue: directionText) else {
            throw directionValue.invalid("unknown direction '\(directionText)'", suggestion: "use maximize or minimize")
        }
        let metric = Metric(name: try metricMap.required("name").string(), direction: direction)

        let datasetMap = try root.required("dataset").mapping()
        try datasetMap.allowKeys(["name", "train", "features", "labels"])
        let dataset = DatasetLayout(name: try datasetMap.required("name").string(),
                                    train: try relativePath(datasetMap.required("train")),
                                    features: try relativePath(datasetMap.required("features")),
                                    labels: try relativePath(datasetMap.required("labels")))
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
            if let value = map["max_bundle_bytes"] { rules.maxBundleBytes = try Quantity.bytes(value) }
            if let value = map["per_participant_per_day"] {
                rules.perParticipantPerDay = try value.int()
                guard rules.perParticipantPerDay >= 1 else { throw value.invalid("must be at least 1") }
            }
            if let value = map["template"] { rules.template = try relativePath(value) }
        }

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
                schedules[key] = ScheduleSpec(cron: try spec.required("cron").string(), timeZone: try spec.string("time_zone"))
            }
        }

        var promotion = PromotionPolicy()
        if let map = try root.mapping("promotion") {
            try map.allowKeys(["tolerance", "retrain_top_k"])
            if let value = map["tolerance"] {
                promotion.tolerance = try value.double()
                guard promotion.tolerance >= 0 else { throw value.invalid("must not be negative") }
            }
            if let value = map["retrain_top_k"] {
                promotion.retrainTopK = try value.int()
                guard promotion.retrainTopK >= 1 else { throw value.invalid("must be at least 1") }
            }
        }

        var executors: [String: ExecutorKind]?
        if let map = try root.mapping("executors") {
            // The build stage too: it is a job like the others, though it needs PyPI.
            try map.allowKeys(["build"] + stages)
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

        return CompetitionManifest(name: name, description: description, metric: metric, dataset: dataset,
                                   entrypoints: entrypoints, limits: limits, submission: rules,
                                   parametersJSON: parametersJSON, schedules: schedules, promotion: promotion,
                                   executors: executors)
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
        try map.allowKeys(["wall_time", "memory", "processes", "cpus", "gpus"])
        var limits = base
        if let value = map["wall_time"] { limits.wallTimeSeconds = try Quantity.seconds(value) }
        if let value = map["memory"] { limits.memoryBytes = try Quantity.bytes(value) }
        if let value = map["processes"] {
            limits.processes = try value.int()
            guard limits.processes >= 1 else { throw value.invalid("must be at least 1") }
        }
        if let value = map["cpus"] {
            limits.cpus = try value.int()
            guard limits.cpus >= 1 else { throw value.invalid("must be at least 1") }
        }
        if let value = map["gpus"] {
            limits.gpus = try value.int()
            guard limits.gpus >= 0 else { throw value.invalid("must not be negative") }
        }
        return limits
    }
}
