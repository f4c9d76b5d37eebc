import Foundation

/// A graph node with its row, and the words every export uses to show it.
public enum LineageRecord: Sendable, Hashable {
    case datasetVersion(DatasetVersion, dataset: Dataset)
    case codeBundle(CodeBundle)
    case environment(Environment)
    case run(Run)
    case model(Model)
    case score(Score)
    case artifact(Artifact)

    public var node: LineageNode {
        switch self {
        case .datasetVersion(let version, _): version.node
        case .codeBundle(let bundle): bundle.node
        case .environment(let environment): environment.node
        case .run(let run): run.node
        case .model(let model): model.node
        case .score(let score): score.node
        case .artifact(let artifact): artifact.node
        }
    }

    /// One line naming the node: `dataset movielens@v3`, `train run #12`.
    public var title: String {
        switch self {
        case .datasetVersion(let version, let dataset): "dataset \(dataset.name)@\(version.tag)"
        case .codeBundle(let bundle): "code bundle #\(bundle.id!) by \(bundle.submitter)"
        case .environment(let environment): "environment #\(environment.id!)"
        case .run(let run): "\(run.kind.rawValue) run #\(run.id!)"
        case .model(let model): "model #\(model.id!)"
        case .score(let score): "score #\(score.id!) \(score.metric) = \(Self.format(score.value))"
        case .artifact(let artifact): "artifact \(artifact.kind) #\(artifact.id!)"
        }
    }

    /// Short facts shown beside the title, digests shortened.
    public var facts: [String] {
        switch self {
        case .datasetVersion(let version, _):
            [version.rootDigest.short, Self.format(bytes: version.size), "\(version.fileCount) file\(version.fileCount == 1 ? "" : "s")"]
                + (version.dataPrunedAt.map { ["data pruned by retention \(Self.format($0))"] } ?? [])
        case .codeBundle(let bundle): [bundle.digest.short]
        case .environment(let environment): [environment.digest.short] + (environment.imageDigest.map { ["image \($0.description)"] } ?? [])
        case .run(let run):
            [run.status.rawValue, Self.format(run.startedAt)] + (run.jobID.map { ["job \($0)"] } ?? [])
        case .model(let model): [model.digest.short]
        case .score: []
        case .artifact(let artifact): [artifact.digest.short]
        }
    }

    /// The content digest of nodes that have one.
    public var digest: Digest? {
        switch self {
        case .datasetVersion(let version, _): version.rootDigest
        case .codeBundle(let bundle): bundle.digest
        case .environment(let environment): environment.digest
        case .model(let model): model.digest
        case .artifact(let artifact): artifact.digest
        case .run, .score: nil
        }
    }

    static func format(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `1.2 GB`: decimal units, as disk tools and dataset cards show them.
    static func format(bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }
}
