import Foundation
import GRDB
import Lineage
import Scheduler

/// Every entry re-scored on every new dataset version: the leaderboard's top entries' trained
/// models predict the new version's evaluation data and are scored, with no retraining, at
/// a priority below everything else. Each entry so keeps a score per version: the board as
/// it stood on any version, and how steady each entry is as the data moves.
public enum Rescores {
    /// Below participants' stages and the hosts' jobs: re-scoring waits for idle slots.
    public static let priority = -10

    /// One entry's score on one dataset version.
    public struct Point: Sendable, Equatable {
        public var datasetVersionID: Int64
        public var score: Double
        public var publicScore: Double?
        public var privateScore: Double?

        func score(on board: Leaderboard.Board) -> Double? {
            switch board {
            case .overall: score
            case .public: publicScore
            case .private: privateScore
            }
        }
    }

    /// Mean and spread (population standard deviation) of an entry's scores on the latest
    /// versions it has one for.
    public struct Stability: Sendable, Equatable {
        public var mean: Double
        public var spread: Double
        public var versions: Int
    }

    /// Queues the re-scoring of `competition`'s top entries on `datasetVersionID` (the
    /// manifest's `rescore.top`). An entry scored on that version already, or re-scored
    /// there before, is skipped. Returns how many were queued.
    @discardableResult
    public static func start(_ competition: CompetitionVersion, datasetVersionID: Int64, queue: JobQueue, layout: PipelineLayout,
                             now: Date, _ db: Database) throws -> Int {
        let top = competition.manifest.rescorePolicy.top
        guard top > 0 else { return 0 }
        var queued = 0
        for entry in try Leaderboard.of(competition, db).prefix(top) {
            let source = entry.submission
            guard source.datasetVersionID != datasetVersionID, let modelID = source.modelID else { continue }
            let key = "rescore:\(source.id!)@\(datasetVersionID)"
            if try Submission.filter(sql: "retrain_key = ?", arguments: [key]).fetchCount(db) > 0 { continue }
            var rescore = source.derived(.rescore, round: nil, competitionVersionID: competition.id!, datasetVersionID: datasetVersionID)
            rescore.modelID = modelID
            rescore.retrainKey = key
            rescore.submittedAt = now
            try rescore.insert(db)
            let context = try LineageContext.findOrCreate(.submission, name: "\(rescore.competition)-\(rescore.id!)", at: now, db)
            try context.add([.datasetVersion(datasetVersionID), .model(modelID)], db)
            try SubmissionIntake.enqueueStages(db, for: &rescore, manifest: competition.manifest, queue: queue, layout: layout,
                                               extraLabels: ["hekaton.rescore": "\(source.id!)"], priority: priority)
            queued += 1
        }
        return queued
    }

    /// The leaderboard's entries in the order the manifest picks champions by
    /// (`promotion.champion`): as ranked, or by their mean over the latest versions.
    public static func champions(_ competition: CompetitionVersion, _ db: Database) throws -> [Leaderboard.Entry] {
        let entries = try Leaderboard.of(competition, db)
        guard competition.manifest.promotion.champion == .stability else { return entries }
        let stability = try Self.stability(competition, board: .overall, db)
        let metric = competition.manifest.metric
        func mean(_ entry: Leaderboard.Entry) -> Double { stability[entry.submission.id!]?.mean ?? entry.score }
        return entries.sorted { a, b in
            if metric.isBetter(mean(a), than: mean(b)) { return true }
            if metric.isBetter(mean(b), than: mean(a)) { return false }
            return a.rank < b.rank
        }
    }

    /// Each participant submission's scores by dataset version: its own version's, and every
    /// re-scoring's since.
    public static func history(in competition: String, _ db: Database) throws -> [Int64: [Point]] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT COALESCE(CASE WHEN kind = 'rescore' THEN source_submission_id END, id) AS entry,
                   dataset_version_id, score, public_score, private_score
            FROM submission
            WHERE competition = ? AND state = 'scored' AND kind IN ('submission', 'rescore') AND score IS NOT NULL
            ORDER BY dataset_version_id
            """, arguments: [competition])
        var history: [Int64: [Point]] = [:]
        for row in rows {
            history[row["entry"], default: []].append(Point(datasetVersionID: row["dataset_version_id"], score: row["score"],
                                                            publicScore: row["public_score"], privateScore: row["private_score"]))
        }
        return history
    }

    /// The leaderboard as it stood on `datasetVersionID`: each entry ranks by its score on
    /// that version (its own, or its re-scoring's); entries without one are not on it.
    /// `history`, when the caller read it already (`history(in:)`), is not read again.
    public static func board(_ competition: CompetitionVersion, on datasetVersionID: Int64, board: Leaderboard.Board,
                             history known: [Int64: [Point]]? = nil, _ db: Database) throws -> [Leaderboard.Entry] {
        let history = try known ?? Self.history(in: competition.competition, db)
        let entries = try Submission.filter(sql: "competition = ? AND state = 'scored' AND kind = 'submission'",
                                            arguments: [competition.competition]).fetchAll(db)
        let asOf: [Submission] = entries.compactMap { entry in
            guard let point = history[entry.id!]?.last(where: { $0.datasetVersionID == datasetVersionID }) else { return nil }
            var shown = entry
            shown.score = point.score
            shown.publicScore = point.publicScore
            shown.privateScore = point.privateScore
            return shown
        }
        return Leaderboard.rank(asOf, direction: competition.manifest.metric.direction, board: board,
                                entrant: try Leaderboard.entrants(of: competition.competition, db))
    }

    /// The latest `count` versions of the competition's dataset, oldest first.
    public static func latestVersions(_ competition: CompetitionVersion, count: Int, _ db: Database) throws -> [DatasetVersion] {
        Array(try DatasetVersion.versions(of: competition.manifest.dataset.name, db).suffix(count))
    }

    /// Each entry's score on `board` on each of `versions`, in their order (nil where none).
    public static func table(_ competition: CompetitionVersion, versions: [DatasetVersion], board: Leaderboard.Board,
                             history known: [Int64: [Point]]? = nil, _ db: Database) throws -> [Int64: [Double?]] {
        try (known ?? history(in: competition.competition, db)).mapValues { points in
            versions.map { version in points.last { $0.datasetVersionID == version.id }.flatMap { $0.score(on: board) } }
        }
    }

    /// Each entry's stability over the latest `versions` dataset versions of the competition's
    /// dataset, on `board`'s score; entries with fewer than two scores there have none.
    public static func stability(_ competition: CompetitionVersion, board: Leaderboard.Board,
                                 history known: [Int64: [Point]]? = nil, _ db: Database) throws -> [Int64: Stability] {
        let versions = competition.manifest.rescorePolicy.stability
        let latest = Set(try Int64.fetchAll(db, sql: """
            SELECT v.id FROM lineage_dataset_version v JOIN lineage_dataset d ON d.id = v.dataset_id WHERE d.name = ? ORDER BY v.id DESC LIMIT ?
            """, arguments: [competition.manifest.dataset.name, versions]))
        var result: [Int64: Stability] = [:]
        for (entry, points) in try known ?? history(in: competition.competition, db) {
            var last: [Int64: Double] = [:]
            for point in points where latest.contains(point.datasetVersionID) {
                if let score = point.score(on: board), score.isFinite { last[point.datasetVersionID] = score }
            }
            guard last.count >= 2 else { continue }
            let scores = Array(last.values)
            let mean = scores.reduce(0, +) / Double(scores.count)
            let variance = scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(scores.count)
            result[entry] = Stability(mean: mean, spread: variance.squareRoot(), versions: scores.count)
        }
        return result
    }
}
