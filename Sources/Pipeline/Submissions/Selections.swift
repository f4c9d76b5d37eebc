import Foundation
import GRDB

/// Final selections: the submissions an entrant (a participant, or their team) puts forward for
/// the private board, up to the manifest's `metric.final_selections`. An entrant who selects
/// nothing competes with their best public ones. At close, each entrant's final rank is the
/// best private score among what counts.
public enum Selections {
    /// What counts for one entrant on the private board.
    public struct Standing: Sendable, Equatable {
        public var submissions: [Submission]
        /// True when the entrant chose them; false when they are the default (the best public ones).
        public var chosen: Bool
    }

    /// Makes the caller's entrant's selections exactly `ids` (none: back to the default).
    /// Refused, changing nothing, when the competition has no private board or has closed,
    /// when there are more than its limit, or when one is not a scored submission of the
    /// caller or their team in this competition. Returns the selections in force after.
    @discardableResult
    public static func set(_ ids: [Int64], in competition: String, callerUID: UInt32, now: Date, _ db: Database) throws -> Standing {
        guard let version = try CompetitionVersion.latest(of: competition, db) else {
            throw PipelineError(.unknownCompetition, "no competition named '\(competition)'; `hekatonctl competition list` shows them")
        }
        guard let splits = version.manifest.metric.splits else {
            throw PipelineError(.conflict, "'\(competition)' has one leaderboard (no metric.splits in its manifest): there is no private board to select for")
        }
        if case .closed(let at, _) = try CompetitionClosure.phase(of: version, now: now, db) {
            let phases = version.manifest.phases ?? CompetitionManifest.Phases()
            throw PipelineError(.notOpen, "'\(competition)' closed at \(phases.local(at)): its final selections are settled and the private board is final")
        }
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        guard unique.count <= splits.selectionLimit else {
            throw PipelineError(.invalidManifest, "\(unique.count) submissions selected; '\(competition)' takes up to \(splits.selectionLimit) (metric.final_selections): choose your best \(splits.selectionLimit)")
        }
        let uids = try entrantUIDs(of: callerUID, in: competition, db)
        for id in unique {
            guard let submission = try Submission.fetchOne(db, key: id), submission.competition == competition,
                  submission.kind == .submission, uids.contains(submission.participantUID) else {
                throw PipelineError(.unknownSubmission, "there is no submission \(id) of yours in '\(competition)'; `hekatonctl submissions --competition \(competition)` lists them")
            }
            guard submission.state == .scored else {
                throw PipelineError(.conflict, "submission \(id) is \(submission.state.rawValue), not scored: only a scored submission can be selected")
            }
        }
        try db.execute(sql: """
            DELETE FROM competition_selection WHERE competition = ? AND submission_id IN (
                SELECT id FROM submission WHERE competition = ? AND participant_uid IN (\(uids.map { _ in "?" }.joined(separator: ","))))
            """, arguments: StatementArguments([competition, competition] + uids.map { Int64($0) }))
        for id in unique {
            try db.execute(sql: "INSERT INTO competition_selection (submission_id, competition, selected_by, selected_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, competition, callerUID, now])
        }
        return try standing(of: callerUID, in: version, db)
    }

    /// What counts on the private board for the entrant `uid` belongs to.
    public static func standing(of uid: UInt32, in version: CompetitionVersion, _ db: Database) throws -> Standing {
        let uids = try entrantUIDs(of: uid, in: version.competition, db)
        let scored = try Submission.filter(sql: """
            competition = ? AND state = 'scored' AND kind = 'submission' AND participant_uid IN (\(uids.map { _ in "?" }.joined(separator: ",")))
            """, arguments: StatementArguments([version.competition] + uids.map { Int64($0) })).fetchAll(db)
        return try counting(scored, in: version, chosenIDs: chosenIDs(in: version.competition, db))
    }

    /// Every selected submission's id in `competition`.
    public static func chosenIDs(in competition: String, _ db: Database) throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: "SELECT submission_id FROM competition_selection WHERE competition = ?", arguments: [competition]))
    }

    /// Of one entrant's scored submissions, those that count: the chosen ones, or else the
    /// best public ones up to the limit (ties to the earlier).
    static func counting(_ scored: [Submission], in version: CompetitionVersion, chosenIDs: Set<Int64>) -> Standing {
        let chosen = scored.filter { chosenIDs.contains($0.id ?? -1) }
        if !chosen.isEmpty { return Standing(submissions: chosen.sorted { ($0.id ?? 0) < ($1.id ?? 0) }, chosen: true) }
        let limit = version.manifest.metric.splits?.selectionLimit ?? Int.max
        let best = Leaderboard.rank(scored, direction: version.manifest.metric.direction, board: .public) { "\($0.id ?? 0)" }
        return Standing(submissions: best.prefix(limit).map(\.submission), chosen: false)
    }

    /// The uids whose submissions one entrant's are: the team's members, or `uid` alone.
    static func entrantUIDs(of uid: UInt32, in competition: String, _ db: Database) throws -> [UInt32] {
        try Teams.team(of: uid, in: competition, db)?.uids ?? [uid]
    }
}
