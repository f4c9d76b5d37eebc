import Foundation
import GRDB
import Lineage

/// A person's decisions about production: promote a model by hand, or roll back to the
/// model production had before the current one.
public enum Promotions {
    /// Makes `reference` the production model of `competition`. The reference is a model id
    /// (`12`, `model:12`), a model digest or its prefix (`sha256:ab12…`), or a submission
    /// (`#5`, `submission:5`), whose model is meant. The model must come from a submission
    /// of this competition.
    public static func promote(_ competition: String, reference: String, actor: String, uid: UInt32, reason: String?,
                               now: Date, _ db: Database) throws -> Promotion {
        guard try CompetitionVersion.latest(of: competition, db) != nil else {
            throw PipelineError(.unknownCompetition, "no competition named '\(competition)'; `hekatonctl competition list` shows them")
        }
        let submission = try resolve(reference, competition: competition, db)
        guard let modelID = submission.modelID else {
            throw PipelineError(.unknownSubmission, "submission #\(submission.id!) has no trained model (state \(submission.state.rawValue))")
        }
        let current = try Promotion.current(competition, db)
        if current?.modelID == modelID {
            throw PipelineError(.conflict, "model \(modelID) is already the production model of '\(competition)'")
        }
        var promotion = Promotion(competition: competition, modelID: modelID, submissionID: submission.id!, kind: .promote,
                                  actor: actor, actorUID: uid, reason: reason ?? "promoted by hand", score: submission.score,
                                  replacesID: current?.id, at: now)
        try promotion.insertAnnounced(db)
        return promotion
    }

    /// Puts back the model production had before the current one.
    public static func rollback(_ competition: String, actor: String, uid: UInt32, reason: String?, now: Date,
                                _ db: Database) throws -> Promotion {
        guard let current = try Promotion.current(competition, db) else {
            throw PipelineError(.unknownSubmission, "competition '\(competition)' has no production model to roll back")
        }
        guard let previousID = current.replacesID, let previous = try Promotion.fetchOne(db, key: previousID) else {
            throw PipelineError(.conflict, "model \(current.modelID) is the first production model of '\(competition)': there is nothing to roll back to")
        }
        var promotion = Promotion(competition: competition, modelID: previous.modelID, submissionID: previous.submissionID,
                                  kind: .rollback, actor: actor, actorUID: uid,
                                  reason: reason ?? "rolled back from model \(current.modelID)", score: previous.score,
                                  replacesID: previous.replacesID, at: now)
        try promotion.insertAnnounced(db)
        return promotion
    }

    static func resolve(_ reference: String, competition: String, _ db: Database) throws -> Submission {
        let text = reference.trimmingCharacters(in: .whitespaces)
        func submissionOf(model id: Int64) throws -> Submission {
            guard let submission = try Submission.filter(sql: "competition = ? AND model_id = ?", arguments: [competition, id])
                .order(sql: "id").fetchOne(db) else {
                throw PipelineError(.unknownSubmission, "model \(id) was not trained for '\(competition)'; `hekatonctl history \(competition)` lists its models")
            }
            return submission
        }
        for prefix in ["#", "submission:"] where text.hasPrefix(prefix) {
            guard let id = Int64(text.dropFirst(prefix.count)),
                  let submission = try Submission.fetchOne(db, key: id), submission.competition == competition else {
                throw PipelineError(.unknownSubmission, "'\(reference)' is not a submission of '\(competition)'")
            }
            return submission
        }
        if let id = Int64(text.hasPrefix("model:") ? String(text.dropFirst(6)) : text) {
            return try submissionOf(model: id)
        }
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard hex.count >= 8, hex.allSatisfy(\.isHexDigit) else {
            throw PipelineError(.unknownSubmission, "'\(reference)' names no model: give a model id (12), a digest prefix of at least 8 hex digits (sha256:ab12cd34) or a submission (#5)")
        }
        let matches = try Int64.fetchAll(db, sql: """
            SELECT m.id FROM lineage_model m JOIN submission s ON s.model_id = m.id
            WHERE s.competition = ? AND m.digest LIKE ? GROUP BY m.id
            """, arguments: [competition, "sha256:\(hex.lowercased())%"])
        guard let first = matches.first else {
            throw PipelineError(.unknownSubmission, "no model of '\(competition)' has a digest starting with \(hex)")
        }
        guard matches.count == 1 else {
            throw PipelineError(.conflict, "\(matches.count) models of '\(competition)' have digests starting with \(hex); give more digits")
        }
        return try submissionOf(model: first)
    }
}
