import Foundation
import Scheduler
import StrictYAML

/// A competition's `hekaton.yaml`: what it measures, on which data, with which entrypoints,
/// within which limits, under which rules.
public struct CompetitionManifest: Sendable, Equatable, Codable {
    public var name: String
    public var description: String
    public var metric: Metric
    public var dataset: DatasetLayout
    public var entrypoints: Entrypoints
    public var limits: StageLimitsTable
    public var submission: SubmissionRules
    /// Passed to every entrypoint as JSON in `$HEKATON_PARAMS`.
    public var parametersJSON: String
    public var schedules: [String: ScheduleSpec]
    public var promotion: PromotionPolicy
    /// Optional so that manifests stored before it decode; `artifactPolicy` has the defaults.
    public var artifact: ArtifactPolicy?
    public var artifactPolicy: ArtifactPolicy { artifact ?? ArtifactPolicy() }
    /// Per stage (`train: slurm`), where its jobs run; the daemon's `executor:` otherwise.
    /// Optional so that manifests stored before it decode.
    public var executors: [String: ExecutorKind]?
    /// What participant code may see of the competition directory (`participantPaths`,
    /// `artifactPaths`). Optional so that manifests stored before it decode; nil means the
    /// default, the scripts the entrypoints name.
    public var visibility: Visibility?
    /// Environments as container images (`images:`); nil: virtual environments on the
    /// host's Python, as before. Optional so that manifests stored before it decode.
    public var images: ImagePolicy?
    /// When submissions are taken (`phases:`); nil: always. Optional so that manifests
    /// stored before it decode.
    public var phases: Phases?
    /// The file in the competition directory that defines its teams (`teams:`), applied at
    /// publication; nil: teams come from `hekatonctl team` alone.
    public var teamsFile: String? = nil
    /// Re-scoring on each new dataset version (`rescore:`); nil: the defaults
    /// (`rescorePolicy`). Optional so that manifests stored before it decode.
    public var rescore: RescorePolicy? = nil
    public var rescorePolicy: RescorePolicy { rescore ?? RescorePolicy() }
    /// What this competition keeps longer or shorter than the daemon's `retention:`
    /// (`retention: {runs, dataset_versions}`); nil: the daemon's. Optional so that
    /// manifests stored before it decode.
    public var retention: RetentionOverride? = nil

    /// A competition's own retention; each nil key falls back to hekatond.yaml's.
    public struct RetentionOverride: Sendable, Equatable, Codable {
        /// Seconds a finished submission's or job's run directory is kept.
        public var runsSeconds: Double?
        /// How many of the newest versions of the competition's dataset keep their data; 0: all.
        public var datasetVersions: Int?

        public init(runsSeconds: Double? = nil, datasetVersions: Int? = nil) {
            self.runsSeconds = runsSeconds
            self.datasetVersions = datasetVersions
        }
    }
    /// Receivers of this competition's events (`webhooks:`), taken up at publication, their
    /// secrets (private files of the competition directory) read then. Optional so that
    /// manifests stored before it decode.
    public var webhooks: [Webhook]? = nil

    /// Every new dataset version re-scores the leaderboard's top entries: their trained
    /// models predict the new evaluation data and are scored, without retraining.
    public struct RescorePolicy: Sendable, Equatable, Codable {
        public static let maximumTop = 50
        public static let maximumStability = 30
        /// How many of the leaderboard's entries (best first) are re-scored; 0: none.
        public var top = maximumTop
        /// How many of the latest dataset versions the stability column spans.
        public var stability = 5
    }

    /// Where `stage` runs under this manifest; nil when the daemon's `executor:` decides.
    public func executor(for stage: String) -> ExecutorKind? {
        executors?[stage]
    }

    public struct Metric: Sendable, Equatable, Codable {
        public var name: String
        public var direction: Direction
        /// The evaluation rows' public and private parts (`metric.splits`); nil: one board.
        /// Optional so that manifests stored before it decode.
        public var splits: Splits?

        public init(name: String, direction: Direction, splits: Splits? = nil) {
            self.name = name
            self.direction = direction
            self.splits = splits
        }

        /// The public board's share of the rows; the private board has the rest. The score
        /// stage assigns each row by a hash of the competition and the row's key.
        public struct Splits: Sendable, Equatable, Codable {
            public var publicFraction: Double
            /// How many submissions an entrant may select for the private board
            /// (`metric.final_selections`); nil: the default. Optional so that manifests stored
            /// before it decode.
            public var finalSelections: Int?
            public static let defaultSelections = 2
            public static let maximumSelections = 20
            /// Up to this many of an entrant's submissions compete on the private board: the
            /// ones they selected, or else their best public ones.
            public var selectionLimit: Int { finalSelections ?? Self.defaultSelections }

            public init(publicFraction: Double, finalSelections: Int? = nil) {
                self.publicFraction = publicFraction
                self.finalSelections = finalSelections
            }
            public var privateFraction: Double { 1 - publicFraction }
            /// `{"private":0.7,"public":0.3}`, as the score stage reads `$HEKATON_SPLITS`.
            public var json: String { "{\"private\":\(privateFraction),\"public\":\(publicFraction)}" }
        }

        public enum Direction: String, Sendable, Codable, CaseIterable {
            case maximize, minimize
        }

        /// True when `a` is a strictly better score than `b`.
        public func isBetter(_ a: Double, than b: Double) -> Bool {
            direction == .maximize ? a > b : a < b
        }
    }

    /// One dataset whose versions each hold training data, evaluation features and labels.
    public struct DatasetLayout: Sendable, Equatable, Codable {
        public var name: String
        public var train: String
        public var features: String
        public var labels: String
        /// Where new versions come from, for the ingestion schedule.
        public var source: DatasetSource?
    }

    /// A directory an upstream pipeline writes into, or a command that writes the day's
    /// data into `$HEKATON_OUTPUT_DIR`.
    public enum DatasetSource: Sendable, Equatable, Codable {
        /// `readyFile`, when set, must exist in the directory before it is taken: the
        /// upstream's "I am done writing" marker (Hadoop's `_SUCCESS`).
        case directory(path: String, readyFile: String?)
        case command(argv: [String])
    }

    /// What the nightly artifact keeps and how it is packaged.
    public struct ArtifactPolicy: Sendable, Equatable, Codable {
        /// Artifacts kept on disk besides the latest; older ones stay in the lineage graph.
        public var keep: Int = 7
        public var oci: OCIPackaging?
    }

    /// Package the artifact as an OCI image layout on top of a base image layout. New fields
    /// are optional so that manifests stored before them decode.
    public struct OCIPackaging: Sendable, Equatable, Codable {
        /// A path inside the competition directory, or an absolute path on the daemon's host.
        /// Nil: the production submission's environment image (image mode), so the artifact
        /// runs on the very system its model was trained and scored on.
        public var base: String?
        public var baseReference: String?
        /// Where the artifact lands in the image.
        public var prefix: String = "artifact"
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        /// `NAME=value` entries over the base's `Env`.
        public var environment: [String]?
        /// The TCP port the image serves on: its config's `ExposedPorts`.
        public var port: Int?

        public init(base: String?, baseReference: String? = nil, prefix: String = "artifact", entrypoint: [String]? = nil,
                    cmd: [String]? = nil, workingDir: String? = nil, environment: [String]? = nil, port: Int? = nil) {
            self.base = base
            self.baseReference = baseReference
            self.prefix = prefix
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.workingDir = workingDir
            self.environment = environment
            self.port = port
        }
    }

    public struct Entrypoints: Sendable, Equatable, Codable {
        public var train: [String]
        public var predict: [String]
        public var score: [String]
        public var artifact: [String]?
    }

    public struct SubmissionRules: Sendable, Equatable, Codable {
        public var maxBundleBytes: Int64 = 10 << 20
        public var perParticipantPerDay: Int = 20
        /// Directory (inside the competition) that `hekatonctl init` copies for participants.
        public var template: String?

        /// The control server accepts uploads up to 256 MiB; a competition may only lower that.
        public static let bundleBytesRange: ClosedRange<Int64> = 1...(256 << 20)
    }

    public struct ScheduleSpec: Sendable, Equatable, Codable {
        public var cron: String
        public var timeZone: String?
    }

    public struct PromotionPolicy: Sendable, Equatable, Codable {
        /// A retrained model may be worse than production by at most this much.
        public var tolerance: Double = 0
        public var retrainTopK: Int = 1
        /// Which entries retraining rounds take as the champions; nil: `latest`. Optional so
        /// that manifests stored before it decode.
        public var champion: Champion? = nil

        public enum Champion: String, Sendable, Equatable, Codable {
            /// The leaderboard's order: each entry's score on its own dataset version.
            case latest
            /// The best mean score over the latest `rescore.stability` dataset versions
            /// (an entry with one score so far counts it alone): a model that holds up.
            case stability
        }
    }
}
