import Foundation
import GRDB

/// Ranks scored submissions: each participant's (or team's) best counts, ties go to the earlier one.
public enum Leaderboard {
    public struct Entry: Sendable, Equatable {
        public var rank: Int
        public var submission: Submission
    }

    /// The leaderboard of a competition: its participants' scored submissions, not the
    /// daemon's retrains and evaluations of production, which feed promotion only.
    /// A team's members rank as one entry, the team's best.
    public static func of(_ competition: CompetitionVersion, _ db: Database) throws -> [Entry] {
        let scored = try Submission.filter(sql: "competition = ? AND state = 'scored' AND kind = 'submission'",
                                           arguments: [competition.competition]).fetchAll(db)
        let teams = try Teams.byMember(in: competition.competition, db)
        return rank(scored, direction: competition.manifest.metric.direction) { teams[$0.participantUID].map { "team:\($0)" } ?? "uid:\($0.participantUID)" }
    }

    public static func rank(_ submissions: [Submission], direction: CompetitionManifest.Metric.Direction,
                            entrant: (Submission) -> String = { "uid:\($0.participantUID)" }) -> [Entry] {
        let metric = CompetitionManifest.Metric(name: "", direction: direction)
        func better(_ a: Submission, _ b: Submission) -> Bool {
            guard let x = a.score, let y = b.score else { return a.score != nil }
            if metric.isBetter(x, than: y) { return true }
            if metric.isBetter(y, than: x) { return false }
            return (a.submittedAt, a.id ?? 0) < (b.submittedAt, b.id ?? 0)
        }
        var best: [String: Submission] = [:]
        for submission in submissions where submission.state == .scored && submission.score?.isFinite == true {
            let key = entrant(submission)
            if let current = best[key], !better(submission, current) { continue }
            best[key] = submission
        }
        return best.values.sorted(by: better).enumerated().map { Entry(rank: $0.offset + 1, submission: $0.element) }
    }
}
