import Foundation
import GRDB
import Lineage
import Scheduler

/// Starts retraining rounds and decides them. Everything here runs inside the transaction
/// that finishes a job (or registers a version), so a round's jobs exist exactly when the
/// version that caused them does, and a decision commits with the score that completed it.
public struct RetrainRounds: Sendable {
    public let queue: JobQueue
    public let layout: PipelineLayout
    public let blobs: BlobStore

    public init(queue: JobQueue, layout: PipelineLayout, blobs: BlobStore) {
        self.queue = queue
        self.layout = layout
        self.blobs = blobs
    }

    /// Starts a round for every competition whose dataset is `datasetName`.
    public func startForNewVersion(_ version: DatasetVersion, datasetName: String, trigger: RetrainRound.Trigger,
                                   now: Date, _ db: Database) throws {
        for competition in try CompetitionVersion.latestOfEach(db) where competition.manifest.dataset.name == datasetName {
            try start(competition, datasetVersionID: version.id!, trigger: trigger,
                      uniqueKey: "version:\(version.id!)", now: now, db)
            // After the round, at a lower priority: the standing entries on the new data.
            try Rescores.start(competition, datasetVersionID: version.id!, queue: queue, layout: layout, now: now, db)
        }
    }

    /// Retrains the top k of the leaderboard on `datasetVersionID` and evaluates the
    /// production model on it. A key already used starts nothing (a re-run of the job that
    /// caused it); a champion already trained on this version is not trained again.
    @discardableResult
    public func start(_ competition: CompetitionVersion, datasetVersionID: Int64, trigger: RetrainRound.Trigger,
                      uniqueKey: String, now: Date, _ db: Database) throws -> RetrainRound? {
        let name = competition.competition
        let key = "\(name):\(uniqueKey)"
        if try RetrainRound.filter(sql: "unique_key = ?", arguments: [key]).fetchCount(db) > 0 { return nil }
        let manifest = competition.manifest
        var round = RetrainRound(competition: name, datasetVersionID: datasetVersionID, trigger: trigger, uniqueKey: key,
                                 state: .running, createdAt: now)
        let production = try Promotion.current(name, db)
        round.productionModelID = production?.modelID
        try round.insert(db)
        let roundID = round.id!
        let labels = ["hekaton.round": "\(roundID)"]

        let champions = try Rescores.champions(competition, db).prefix(manifest.promotion.retrainTopK).map(\.submission)
        var members = 0
        for champion in champions {
            // Trained on this version already: as a submission (then it is a candidate as it
            // is), or by an earlier round.
            if champion.datasetVersionID == datasetVersionID { continue }
            let retrainKey = "\(champion.id!)@\(datasetVersionID)"
            if try Submission.filter(sql: "retrain_key = ?", arguments: [retrainKey]).fetchCount(db) > 0 { continue }
            var retrain = champion.derived(.retrain, round: roundID, competitionVersionID: competition.id!, datasetVersionID: datasetVersionID)
            retrain.retrainKey = retrainKey
            try enqueue(&retrain, manifest: manifest, labels: labels, now: now, db)
            members += 1
        }
        // A champion submitted on this very version competes with production as it is.
        let ready = champions.filter { $0.datasetVersionID == datasetVersionID && $0.modelID != production?.modelID }
        let contest = members > 0 || !ready.isEmpty
        if contest, let production, let source = try Submission.fetchOne(db, key: production.submissionID) {
            let evaluated = try Submission.filter(sql: "model_id = ? AND dataset_version_id = ? AND state = 'scored'",
                                                  arguments: [production.modelID, datasetVersionID]).fetchOne(db)
            if let evaluated {
                round.productionScore = evaluated.score
            } else {
                var evaluation = source.derived(.evaluate, round: roundID, competitionVersionID: competition.id!, datasetVersionID: datasetVersionID)
                evaluation.modelID = production.modelID
                try enqueue(&evaluation, manifest: manifest, labels: labels, now: now, db)
            }
        }
        if !contest {
            round.state = .skipped
            round.decidedAt = now
            round.decision = champions.isEmpty
                ? "no scored submission yet: nothing to retrain"
                : "the champion is already trained on this dataset version and is production, or was compared with it"
        }
        try round.update(db)
        // A member whose jobs could not even start (its shared environment build is dead)
        // has already ended.
        try decideIfComplete(roundID, now: now, db)
        return round
    }

    private func enqueue(_ submission: inout Submission, manifest: CompetitionManifest, labels: [String: String],
                         now: Date, _ db: Database) throws {
        submission.submittedAt = now
        try submission.insert(db)
        let id = submission.id!
        let competitionContext = try LineageContext.findOrCreate(.competition, name: submission.competition, at: now, db)
        let context = try LineageContext.findOrCreate(.submission, name: "\(submission.competition)-\(id)", parentID: competitionContext.id, at: now, db)
        try context.add([.datasetVersion(submission.datasetVersionID)], db)
        try SubmissionIntake.enqueueStages(db, for: &submission, manifest: manifest, queue: queue, layout: layout, extraLabels: labels)
        let states = try String.fetchAll(db, sql: "SELECT state FROM job WHERE id IN (?, ?)",
                                         arguments: [submission.buildJob, submission.scoreJob])
        if states.contains(where: { $0 == JobState.dead.rawValue || $0 == JobState.upstreamFailed.rawValue }) {
            submission.state = .failed
            submission.failedStage = Stage.build.rawValue
            submission.error = "its environment could not be built (the shared build job failed); see `hekatonctl job show \(submission.buildJob!)`"
            submission.finishedAt = now
            try submission.update(db)
        }
    }

    /// Called when a submission reaches a final state. A participant's first scored
    /// submission becomes production when there is none; a round member completes its round.
    public func submissionFinished(_ submission: Submission, now: Date, _ db: Database) throws {
        if submission.kind == .submission {
            guard submission.state == .scored, let modelID = submission.modelID, let score = submission.score else { return }
            guard let current = try Promotion.current(submission.competition, db) else {
                var promotion = Promotion(competition: submission.competition, modelID: modelID, submissionID: submission.id!,
                                          kind: .initial, actor: "hekatond", reason: "the competition's first scored submission",
                                          score: score, at: now)
                try promotion.insertAnnounced(db)
                return
            }
            try promoteNewChampion(submission, modelID: modelID, score: score, over: current, now: now, db)
            return
        }
        if let roundID = submission.roundID { try decideIfComplete(roundID, now: now, db) }
    }

    /// A new champion replaces production at once when the two can be compared fairly: the
    /// production model has a score on the very dataset version the champion was scored on
    /// (its own, or from a round's evaluation), and the champion's is better.
    func promoteNewChampion(_ submission: Submission, modelID: Int64, score: Double, over current: Promotion,
                            now: Date, _ db: Database) throws {
        guard current.modelID != modelID, let version = try CompetitionVersion.latest(of: submission.competition, db) else { return }
        let metric = version.manifest.metric
        guard try Leaderboard.of(version, db).first?.submission.id == submission.id else { return }
        guard let production = try Submission.filter(sql: "model_id = ? AND dataset_version_id = ? AND state = 'scored' AND score IS NOT NULL",
                                                     arguments: [current.modelID, submission.datasetVersionID]).fetchOne(db)?.score,
              metric.isBetter(score, than: production) else { return }
        let shown = { (value: Double) in String(format: "%.4f", value) }
        var promotion = Promotion(competition: submission.competition, modelID: modelID, submissionID: submission.id!,
                                  kind: .automatic, actor: "hekatond",
                                  reason: "the new champion #\(submission.id!) scored \(shown(score)) against production's \(shown(production)) on the same data",
                                  score: score, replacesID: current.id, at: now)
        try promotion.insertAnnounced(db)
    }

    /// Decides a round once every member has ended.
    func decideIfComplete(_ roundID: Int64, now: Date, _ db: Database) throws {
        guard var round = try RetrainRound.fetchOne(db, key: roundID), round.state == .running else { return }
        let members = try Submission.filter(sql: "round_id = ?", arguments: [roundID]).fetchAll(db)
        guard members.allSatisfy({ $0.state.isFinal }) else { return }
        guard let version = try CompetitionVersion.latest(of: round.competition, db) else { return }
        let metric = version.manifest.metric
        let tolerance = version.manifest.promotion.tolerance

        let retrained = members.filter { $0.kind == .retrain }
        // The candidates: what this round retrained, and champions submitted on this version.
        let current = try Promotion.current(round.competition, db)
        let ready = try Leaderboard.of(version, db).prefix(version.manifest.promotion.retrainTopK).map(\.submission)
            .filter { $0.datasetVersionID == round.datasetVersionID && $0.modelID != current?.modelID }
        let scored = (retrained + ready).filter { $0.state == .scored && $0.score != nil && $0.modelID != nil }
        let failed = retrained.filter { $0.state != .scored }
        let failures = failed.map { "#\($0.id!) (retraining #\($0.sourceSubmissionID ?? 0)) failed at \($0.failedStage ?? "?"): \($0.error ?? "no message")" }
        if let evaluation = members.first(where: { $0.kind == .evaluate }) {
            round.productionScore = evaluation.state == .scored ? evaluation.score : nil
        }
        round.decidedAt = now
        guard let best = scored.min(by: { metric.isBetter($0.score!, than: $1.score!) }) else {
            round.state = .failed
            round.decision = "no retrained model was scored; production stays. " + failures.joined(separator: "; ")
            try round.updateDecided(db)
            return
        }
        round.bestModelID = best.modelID
        round.bestScore = best.score
        let candidate = best.score!
        let note = failures.isEmpty ? "" : " (also: " + failures.joined(separator: "; ") + ")"
        func promote(_ reason: String) throws {
            var promotion = Promotion(competition: round.competition, modelID: best.modelID!, submissionID: best.id!,
                                      roundID: roundID, kind: .automatic, actor: "hekatond", reason: reason, score: candidate,
                                      replacesID: current?.id, at: now)
            try promotion.insertAnnounced(db)
            round.state = .promoted
            round.decision = reason + note
        }
        if current == nil {
            try promote("no production model yet")
        } else if let current, current.modelID != round.productionModelID {
            // A person (or another round) changed production meanwhile: the evaluation was of another model.
            round.state = .kept
            round.decision = "production changed while the round ran (to model \(current.modelID), \(current.kind.rawValue) by \(current.actor)), so nothing was compared; production stays" + note
        } else if let production = round.productionScore {
            let worse = metric.direction == .maximize ? production - candidate : candidate - production
            let shown = { (value: Double) in String(format: "%.4f", value) }
            if worse > tolerance {
                round.state = .kept
                round.decision = "rejected: \(best.kind == .retrain ? "retrained " : "")#\(best.id!) scored \(shown(candidate)), worse than production's \(shown(production)) by \(shown(worse)), more than the tolerance \(shown(tolerance))" + note
            } else {
                try promote("\(best.kind == .retrain ? "retrained " : "")#\(best.id!) scored \(shown(candidate)) against production's \(shown(production)) (tolerance \(shown(tolerance)))")
            }
        } else {
            round.state = .kept
            round.decision = "the production model could not be evaluated on this version, so nothing was compared; production stays (`hekatonctl promote` decides by hand)" + note
        }
        try round.updateDecided(db)
    }
}
