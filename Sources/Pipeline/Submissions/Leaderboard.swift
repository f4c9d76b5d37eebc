import Foundation
import GRDB

/// Ranks scored submissions: each participant's (or team's) best counts, ties go to the earlier one.
public enum Leaderboard {
    public struct Entry: Sendable, Equatable {
        public var rank: Int
        public var submission: Submission
        /// The score it ranks by on this board.
        public var score: Double
        /// On the private board: the entrant's rank on the public one (nil when it has no
        /// public score), for the shake-up, and whether they chose what counts (false: their
        /// best public submissions stood in).
        public var publicRank: Int?
        public var chosen: Bool?
    }

    /// Which score ranks: all the evaluation rows (promotion's), or with `metric.splits` the
    /// public part (shown while the competition runs) or the private part (decides at the end).
    public enum Board: String, Sendable, CaseIterable {
        case overall, `public`, `private`

        func score(of submission: Submission) -> Double? {
            switch self {
            case .overall: submission.score
            case .public: submission.publicScore
            case .private: submission.privateScore
            }
        }
    }

    /// The leaderboard of a competition: its participants' scored submissions, not the
    /// daemon's retrains, evaluations and reproductions. A team's members rank as one entry,
    /// the team's best.
    ///
    /// The private board is the final one: each entrant ranks by the best private score among
    /// their selections (`Selections`), and each entry carries its public rank.
    public static func of(_ competition: CompetitionVersion, _ db: Database, board: Board = .overall) throws -> [Entry] {
        let scored = try Submission.filter(sql: "competition = ? AND state = 'scored' AND kind = 'submission'",
                                           arguments: [competition.competition]).fetchAll(db)
        let entrant = try entrants(of: competition.competition, db)
        let direction = competition.manifest.metric.direction
        guard board == .private, competition.manifest.metric.splits != nil else {
            return rank(scored, direction: direction, board: board, entrant: entrant)
        }
        let publicRanks = Dictionary(uniqueKeysWithValues: rank(scored, direction: direction, board: .public, entrant: entrant)
            .map { (entrant($0.submission), $0.rank) })
        let chosenIDs = try Selections.chosenIDs(in: competition.competition, db)
        var counting: [Submission] = []
        var chose: [String: Bool] = [:]
        for (key, submissions) in Dictionary(grouping: scored, by: entrant) {
            let standing = Selections.counting(submissions, in: competition, chosenIDs: chosenIDs)
            counting += standing.submissions
            chose[key] = standing.chosen
        }
        return rank(counting, direction: direction, board: .private, entrant: entrant).map { entry in
            var entry = entry
            entry.publicRank = publicRanks[entrant(entry.submission)]
            entry.chosen = chose[entrant(entry.submission)]
            return entry
        }
    }

    /// Who an entry ranks for: the participant's team, or the participant alone.
    static func entrants(of competition: String, _ db: Database) throws -> @Sendable (Submission) -> String {
        let teams = try Teams.byMember(in: competition, db)
        return { teams[$0.participantUID].map { "team:\($0)" } ?? "uid:\($0.participantUID)" }
    }

    public static func rank(_ submissions: [Submission], direction: CompetitionManifest.Metric.Direction, board: Board = .overall,
                            entrant: (Submission) -> String = { "uid:\($0.participantUID)" }) -> [Entry] {
        let metric = CompetitionManifest.Metric(name: "", direction: direction)
        func better(_ a: (Submission, Double), _ b: (Submission, Double)) -> Bool {
            if metric.isBetter(a.1, than: b.1) { return true }
            if metric.isBetter(b.1, than: a.1) { return false }
            return (a.0.submittedAt, a.0.id ?? 0) < (b.0.submittedAt, b.0.id ?? 0)
        }
        var best: [String: (Submission, Double)] = [:]
        for submission in submissions where submission.state == .scored {
            guard let score = board.score(of: submission), score.isFinite else { continue }
            let key = entrant(submission)
            if let current = best[key], !better((submission, score), current) { continue }
            best[key] = (submission, score)
        }
        return best.values.sorted(by: better).enumerated().map { Entry(rank: $0.offset + 1, submission: $0.element.0, score: $0.element.1) }
    }
}
