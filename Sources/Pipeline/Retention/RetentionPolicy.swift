import Cron
import Foundation
import GRDB
import Lineage
import StrictYAML

/// How long what the daemon leaves on disk is kept: finished run directories, and the data of
/// old dataset versions. hekatond.yaml's `retention:` gives the defaults; a competition's
/// manifest may override either key for itself (`CompetitionManifest.RetentionOverride`).
public struct RetentionPolicy: Sendable, Equatable {
    /// A run directory (`runs/submission-N`, `runs/score-N`, `runs/TASK-JOB`) is removed this
    /// long after its submission or job ended. A week: long enough to look into a failure.
    public var runsSeconds: Double = 7 * 86400
    /// How many of each dataset's newest versions keep their data; 0 keeps every version's
    /// forever, the default, so that no bytes leave unless a host asks for it (a pruned
    /// version can no longer be reproduced on).
    public var datasetVersions: Int = 0

    public static let runsRange: ClosedRange<Double> = 1...(3650 * 86400)
    public static let datasetVersionsRange: ClosedRange<Int> = 0...10_000

    public init(runsSeconds: Double = 7 * 86400, datasetVersions: Int = 0) {
        self.runsSeconds = runsSeconds
        self.datasetVersions = datasetVersions
    }

    /// This policy with a competition's own keys in place of its defaults.
    public func applying(_ override: CompetitionManifest.RetentionOverride?) -> RetentionPolicy {
        RetentionPolicy(runsSeconds: override?.runsSeconds ?? runsSeconds, datasetVersions: override?.datasetVersions ?? datasetVersions)
    }

    /// `runs:`, a duration from one second to ten years.
    public static func runs(_ value: YAMLValue) throws(YAMLError) -> Double {
        let text = try value.string()
        guard let seconds = DurationText.seconds(text), runsRange.contains(seconds) else {
            throw value.invalid("'\(text.prefix(80))' is not a duration from 1s to 3650d",
                                suggestion: "write how long a finished run's directory is kept, like 7d or 12h")
        }
        return seconds
    }

    /// `dataset_versions:`, a count from 0 (keep every version's data) to 10000.
    public static func datasetVersions(_ value: YAMLValue) throws(YAMLError) -> Int {
        let count: Int
        do {
            count = try value.int()
        } catch {
            throw value.invalid("expected a whole number of dataset versions", suggestion: "write how many of the newest versions keep their data, like 14, or 0 to keep all")
        }
        guard datasetVersionsRange.contains(count) else {
            throw value.invalid("\(count) is out of range 0...\(datasetVersionsRange.upperBound)",
                                suggestion: "write how many of the newest versions keep their data, like 14, or 0 to keep all")
        }
        return count
    }

    /// Why something that needs `version`'s bytes cannot have them: which version, since when,
    /// and the setting that let them go.
    public static func prunedMessage(_ version: DatasetVersion, db: Database, for what: String) -> String {
        let name = (try? Dataset.fetchOne(db, key: version.datasetID))?.name ?? "dataset #\(version.datasetID)"
        let when = version.dataPrunedAt.map { " on \($0.formatted(.iso8601))" } ?? ""
        return "\(what): the data of dataset version \(name)@\(version.tag) (\(version.rootDigest.short)) was pruned by retention\(when); "
            + "its record and digests remain, its bytes do not. Keep more versions with retention.dataset_versions "
            + "(hekatond.yaml, or the competition's hekaton.yaml) to reproduce later ones, or register the same data again"
    }
}
