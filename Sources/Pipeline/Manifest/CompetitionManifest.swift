import Foundation
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
    /// Per stage (`train: slurm`), where its jobs run; the daemon's `executor:` otherwise.
    /// Optional so that manifests stored before it decode.
    public var executors: [String: ExecutorKind]?

    /// Where `stage` runs under this manifest, given the daemon's default.
    public func executor(for stage: String, default fallback: ExecutorKind) -> ExecutorKind {
        executors?[stage] ?? fallback
    }

    public struct Metric: Sendable, Equatable, Codable {
        public var name: String
        public var direction: Direction

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
    }

    public struct ScheduleSpec: Sendable, Equatable, Codable {
        public var cron: String
        public var timeZone: String?
    }

    public struct PromotionPolicy: Sendable, Equatable, Codable {
        /// A retrained model may be worse than production by at most this much.
        public var tolerance: Double = 0
        public var retrainTopK: Int = 1
    }
}
