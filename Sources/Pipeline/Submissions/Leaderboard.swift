import Foundation
import GRDB

/// Ranks scored submissions: each participant's best counts, ties go to the earlier one.
public enum Leaderboard {
    public struct Entry: Sendable, Equatable {
        public var rank: Int
        public var submission: Submission
    }

    /// The leaderboard of a competition: its participants' scored submissions, not the
    /// daemon's retrains and evaluations of production, which feed promotion only.
    public static func of(_ competition: CompetitionVersion, _ db: Database) throws -> [Entry] {
        let scored = try Submission.filter(sql: "competition = ? AND state = 'scored' AND kind = 'submission'",
                                           arguments: [competition.competition]).fetchAll(db)
        return rank(scored, direction: competition.manifest.metric.direction)
    }

    public static func rank(_ submissions: [Submission], direction: CompetitionManifest.Metric.Direction) -> [Entry] {
        let metric = CompetitionManifest.Metric(name: "", direction: direction)
        func better(_ a: Submission, _ b: Submission) -> Bool {
            guard let x = a.score, let y = b.score else { return a.score != nil }
            if metric.isBetter(x, than: y) { return true }
            if metric.isBetter(y, than: x) { return false }
            return (a.submittedAt, a.id ?? 0) < (b.submittedAt, b.id ?? 0)
        }
        var best: [UInt32: Submission] = [:]
        for submission in submissions where submission.state == .scored && submission.score?.isFinite == true {
            if let current = best[submission.participantUID], !better(submission, current) { continue }
            best[submission.participantUID] = submission
        }
        return best.values.sorted(by: better).enumerated().map { Entry(rank: $0.offset + 1, submission: $0.element) }
    }
}
