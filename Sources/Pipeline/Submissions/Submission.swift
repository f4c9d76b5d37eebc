import Foundation
import GRDB

/// A participant's code, submitted to one competition version and evaluated on one dataset
/// version through the build → train → predict → score jobs.
public struct Submission: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "submission"

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case queued, building, training, predicting, scoring, scored, failed, cancelled

        public var isFinal: Bool { self == .scored || self == .failed || self == .cancelled }
    }

    public var id: Int64?
    public var competition: String
    public var competitionVersionID: Int64
    public var datasetVersionID: Int64
    public var participantUID: UInt32
    public var participant: String
    public var tag: String?
    public var bundleDigest: String
    public var environmentDigest: String
    public var state: State
    public var failedStage: String?
    public var error: String?
    public var score: Double?
    /// With `metric.splits`: the score on the public and on the private part of the rows.
    public var publicScore: Double?
    public var privateScore: Double?
    public var modelID: Int64?
    public var submittedAt: Date
    public var finishedAt: Date?
    public var buildJob: Int64?
    public var trainJob: Int64?
    public var predictJob: Int64?
    public var scoreJob: Int64?
    public var kind: Kind = .submission
    /// The retraining round a retrain or evaluation belongs to.
    public var roundID: Int64?
    /// What a retrain retrains, or whose model an evaluation evaluates.
    public var sourceSubmissionID: Int64?
    public var retrainKey: String?

    /// A participant's own submission ranks; the daemon's retrains and evaluations of the
    /// production model on new data only feed promotion.
    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        /// `reproduce`: a scored submission run again on its data and seed (`hekatonctl reproduce`).
        /// `rescore`: a scored submission's model on a newer dataset version (predict and score).
        case submission, retrain, evaluate, reproduce, rescore
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, competition, participant, tag, state, error, score
        case publicScore = "public_score"
        case privateScore = "private_score"
        case competitionVersionID = "competition_version_id"
        case datasetVersionID = "dataset_version_id"
        case participantUID = "participant_uid"
        case bundleDigest = "bundle_digest"
        case environmentDigest = "environment_digest"
        case failedStage = "failed_stage"
        case modelID = "model_id"
        case submittedAt = "submitted_at"
        case finishedAt = "finished_at"
        case buildJob = "build_job"
        case trainJob = "train_job"
        case predictJob = "predict_job"
        case scoreJob = "score_job"
        case kind
        case roundID = "round_id"
        case sourceSubmissionID = "source_submission_id"
        case retrainKey = "retrain_key"
    }

    /// A new row of the daemon's for a round: this submission's code, environment and
    /// participant, on another dataset version, with nothing of its own evaluation.
    func derived(_ kind: Kind, round: Int64?, competitionVersionID: Int64, datasetVersionID: Int64) -> Submission {
        Submission(id: nil, competition: competition, competitionVersionID: competitionVersionID, datasetVersionID: datasetVersionID,
                   participantUID: participantUID, participant: participant, tag: tag, bundleDigest: bundleDigest,
                   environmentDigest: environmentDigest, state: .queued, submittedAt: submittedAt,
                   kind: kind, roundID: round, sourceSubmissionID: id)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
