import StrictYAML

extension CompetitionManifest {
    public static let maximumVisiblePaths = 256
    public static let maximumVisiblePathBytes = 1024

    /// Reads `visibility:` and refuses a manifest whose participant or artifact stages, or
    /// the template `hekatonctl init` hands out, would show the score entrypoint's script,
    /// the ingestion source's, or a private path, or whose stages would not see their own
    /// script. `fileExists`, when given, says whether a path is in the competition
    /// directory: a listed path that is not is refused.
    static func visibility(_ map: YAMLMapping?, entrypoints: Entrypoints, entryMap: YAMLMapping, source: DatasetSource?,
                           template: YAMLValue?, fileExists: ((String) -> Bool)?) throws(YAMLError) -> Visibility? {
        try map?.allowKeys(["participant", "artifact", "private"])
        let participant = try map?["participant"].map { v throws(YAMLError) in try visiblePaths(v, fileExists: fileExists) }
        let artifact = try map?["artifact"].map { v throws(YAMLError) in try visiblePaths(v, fileExists: fileExists) }
        let privatePaths = try map?["private"].map { v throws(YAMLError) in try visiblePaths(v, fileExists: fileExists) } ?? []

        var protected = scriptFiles(entrypoints.score).map { ($0, "the score entrypoint's script (entrypoints.score)") }
        if case .command(let argv) = source {
            protected += scriptFiles(argv).map { ($0, "the ingestion source's script (dataset.source.command)") }
        }
        protected += privatePaths.map { ($0.path, "private (visibility.private)") }
        let suggestion = "show only what train, predict and artifact need; scoring code, ingestion sources and private files are never shown to participants"

        // What each stage shows: the listed paths, or else the scripts its entrypoints name.
        let participantShown = participant ?? ["train", "predict"].flatMap { stage in
            scriptFiles(stage == "train" ? entrypoints.train : entrypoints.predict).map { ($0, entryMap[stage]!) }
        }
        let artifactShown = artifact ?? scriptFiles(entrypoints.artifact ?? []).map { ($0, entryMap["artifact"]!) }
        let templateShown = try template.map { v throws(YAMLError) in [(try relativePath(v), v)] } ?? []
        for (path, value) in participantShown + artifactShown + templateShown {
            if let (hidden, why) = protected.first(where: { overlaps(path, $0.0) }) {
                let reach = hidden == path ? "" : hidden.hasPrefix(path + "/") ? " (it holds \(hidden))" : " (it lies inside \(hidden))"
                throw value.invalid("participants would see \(path)\(reach), and \(hidden) is \(why)", suggestion: suggestion)
            }
        }

        // A stage that cannot see its own script cannot run.
        let stageShows = [("train", participantShown), ("predict", participantShown),
                          ("artifact", participantShown + artifactShown)]
        for (stage, shown) in stageShows {
            guard let value = entryMap[stage] else { continue }
            let argv = stage == "train" ? entrypoints.train : stage == "predict" ? entrypoints.predict : entrypoints.artifact ?? []
            for script in scriptFiles(argv) where !shown.contains(where: { script == $0.0 || script.hasPrefix($0.0 + "/") }) {
                let list = stage == "artifact" ? "visibility.participant or visibility.artifact" : "visibility.participant"
                throw value.invalid("the \(stage) stage runs \(script), which \(list) does not show",
                                    suggestion: "add \(script) to \(list)")
            }
        }
        guard map != nil else { return nil }
        return Visibility(participant: participant?.map(\.path), artifact: artifact?.map(\.path), privatePaths: privatePaths.map(\.path))
    }

    /// A list of relative paths inside the competition directory, bounded in number and length.
    private static func visiblePaths(_ value: YAMLValue, fileExists: ((String) -> Bool)?) throws(YAMLError) -> [(path: String, value: YAMLValue)] {
        let items = try value.list()
        guard items.count <= maximumVisiblePaths else {
            throw value.invalid("\(items.count) paths listed; at most \(maximumVisiblePaths) are accepted",
                                suggestion: "list directories (host/lib) instead of each file in them")
        }
        var paths: [(path: String, value: YAMLValue)] = []
        for item in items {
            let text = try item.string()
            guard text.utf8.count <= maximumVisiblePathBytes else {
                throw item.invalid("the path is \(text.utf8.count) bytes long; at most \(maximumVisiblePathBytes) are accepted")
            }
            let path = try relativePath(item)
            if let fileExists, !fileExists(path) {
                throw item.invalid("\(path) does not exist in the competition directory",
                                   suggestion: "list paths relative to the directory that holds hekaton.yaml, or remove this one")
            }
            if !paths.contains(where: { $0.path == path }) { paths.append((path, item)) }
        }
        return paths
    }
}
