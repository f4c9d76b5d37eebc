import Foundation
import GRDB
import Scheduler

/// One run of a dataset's ingestion: a new version, nothing new, or a failure.
public struct Ingestion: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pipeline_ingestion"

    public enum Outcome: String, Codable, Sendable, DatabaseValueConvertible {
        case newVersion = "new-version", unchanged, failed
    }

    public var id: Int64?
    public var dataset: String
    public var competition: String
    public var jobID: Int64
    public var outcome: Outcome
    public var datasetVersionID: Int64?
    public var tag: String?
    public var rootDigest: String?
    public var files: Int64?
    public var bytes: Int64?
    public var error: String?
    public var logicalTime: Date?
    public var at: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, dataset, competition, outcome, tag, files, bytes, error, at
        case jobID = "job_id"
        case datasetVersionID = "dataset_version_id"
        case rootDigest = "root_digest"
        case logicalTime = "logical_time"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Retraining the champion (or the top k) on one dataset version, evaluating the production
/// model on the same data, and deciding whether production changes.
public struct RetrainRound: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pipeline_round"

    public enum Trigger: String, Codable, Sendable, DatabaseValueConvertible {
        /// A new version from the ingestion schedule.
        case ingest
        /// The competition's periodic retraining schedule.
        case schedule
        /// A host registered a version by hand.
        case registration
    }

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        /// Jobs are running.
        case running
        /// A retrained model became production.
        case promoted
        /// Production stays: the retrained model was worse by more than the tolerance, or
        /// is production already.
        case kept
        /// No retrained model could be scored; production stays.
        case failed
        /// Nothing to train: every champion was already trained on this version.
        case skipped
    }

    public var id: Int64?
    public var competition: String
    public var datasetVersionID: Int64
    public var trigger: Trigger
    public var uniqueKey: String
    public var state: State
    public var decision: String?
    public var productionModelID: Int64?
    public var productionScore: Double?
    public var bestModelID: Int64?
    public var bestScore: Double?
    public var createdAt: Date
    public var decidedAt: Date?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, competition, trigger, state, decision
        case datasetVersionID = "dataset_version_id"
        case uniqueKey = "unique_key"
        case productionModelID = "production_model_id"
        case productionScore = "production_score"
        case bestModelID = "best_model_id"
        case bestScore = "best_score"
        case createdAt = "created_at"
        case decidedAt = "decided_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A change of a competition's production model. The latest row is production; each row
/// names the one it replaced, so a rollback walks back one step at a time.
public struct Promotion: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pipeline_promotion"

    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        /// The competition's first scored submission.
        case initial
        /// A retraining round's decision.
        case automatic
        /// `hekatonctl promote`.
        case promote
        /// `hekatonctl rollback`.
        case rollback
    }

    public var id: Int64?
    public var competition: String
    public var modelID: Int64
    public var submissionID: Int64
    public var roundID: Int64?
    public var kind: Kind
    public var actor: String
    public var actorUID: UInt32?
    public var reason: String
    public var score: Double?
    public var replacesID: Int64?
    public var at: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, competition, kind, actor, reason, score, at
        case modelID = "model_id"
        case submissionID = "submission_id"
        case roundID = "round_id"
        case actorUID = "actor_uid"
        case replacesID = "replaces_id"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The competition's production model now, if it has one.
    public static func current(_ competition: String, _ db: Database) throws -> Promotion? {
        try Promotion.filter(CodingKeys.competition == competition).order(CodingKeys.id.desc).fetchOne(db)
    }
}

/// One build of a competition's artifact from its production model.
public struct ArtifactBuild: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pipeline_artifact"

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case succeeded, failed
        /// Older than the last N kept: its files are gone from disk, its record and lineage stay.
        case pruned
    }

    public var id: Int64?
    public var competition: String
    public var jobID: Int64
    public var modelID: Int64
    public var submissionID: Int64
    public var datasetVersionID: Int64
    public var lineageArtifactID: Int64?
    public var digest: String?
    public var ociArtifactID: Int64?
    public var ociManifestDigest: String?
    public var ociReference: String?
    public var state: State
    public var error: String?
    public var logicalTime: Date?
    public var at: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, competition, digest, state, error, at
        case jobID = "job_id"
        case modelID = "model_id"
        case submissionID = "submission_id"
        case datasetVersionID = "dataset_version_id"
        case lineageArtifactID = "lineage_artifact_id"
        case ociArtifactID = "oci_artifact_id"
        case ociManifestDigest = "oci_manifest_digest"
        case ociReference = "oci_reference"
        case logicalTime = "logical_time"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Promotion {
    /// Inserts the promotion and its event, in the caller's transaction.
    mutating func insertAnnounced(_ db: Database) throws {
        try insert(db)
        let kind: Event.Kind = self.kind == .rollback ? .productionRolledBack : .productionPromoted
        try Event.record(db, kind, competition: competition,
                         message: "\(competition): model \(modelID) (from #\(submissionID)) is production, \(self.kind.rawValue) by \(actor): \(reason)",
                         data: ["model": "\(modelID)", "submission": "\(submissionID)", "promotion": "\(id ?? 0)", "kind": self.kind.rawValue],
                         at: at)
    }
}

extension RetrainRound {
    /// Saves a decided round and its event, in the caller's transaction.
    mutating func updateDecided(_ db: Database) throws {
        try update(db)
        var data = ["round": "\(id ?? 0)", "state": state.rawValue]
        if let bestScore { data["best_score"] = "\(bestScore)" }
        try Event.record(db, .roundDecided, competition: competition,
                         message: "\(competition): round \(id ?? 0) \(state.rawValue): \(decision ?? "")", data: data, at: decidedAt ?? Date())
    }
}

extension Ingestion {
    /// Inserts the ingestion's outcome and its event, in the caller's transaction.
    mutating func insertAnnounced(_ db: Database) throws {
        try insert(db)
        let kind: Event.Kind = switch outcome {
        case .newVersion: .ingestionNewVersion
        case .unchanged: .ingestionUnchanged
        case .failed: .ingestionFailed
        }
        let what = switch outcome {
        case .newVersion: "a new version \(dataset)@\(tag ?? "?")"
        case .unchanged: "no change (\(dataset)@\(tag ?? "?") stands)"
        case .failed: "failed: \(error ?? "")"
        }
        var data = ["job": "\(jobID)", "dataset": dataset]
        if let tag { data["tag"] = tag }
        try Event.record(db, kind, competition: competition.isEmpty ? nil : competition,
                         message: "ingestion of \(dataset.isEmpty ? "the dataset" : dataset) for \(competition): \(what)", data: data, at: at)
    }
}

extension ArtifactBuild {
    /// Inserts the build's outcome and its event, in the caller's transaction.
    mutating func insertAnnounced(_ db: Database) throws {
        try insert(db)
        var data = ["job": "\(jobID)", "model": "\(modelID)"]
        if let digest { data["digest"] = digest }
        try Event.record(db, state == .succeeded ? .artifactBuilt : .artifactFailed, competition: competition,
                         message: state == .succeeded
                             ? "\(competition): the artifact was built from model \(modelID)\(ociReference.map { " (image \($0))" } ?? "")"
                             : "\(competition): the artifact build failed: \(error ?? "")",
                         data: data, at: at)
    }
}

