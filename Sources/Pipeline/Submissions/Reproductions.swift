import Foundation
import GRDB
import Lineage
import Scheduler

/// `hekatonctl reproduce`: a scored submission run again, its same code on the same dataset
/// version with the same seed, as a submission of kind `reproduce` (which never ranks); once
/// it is scored, its score and model digest are compared with the original's.
public struct Reproductions: Sendable {
    public let queue: JobQueue
    public let layout: PipelineLayout

    public init(queue: JobQueue, layout: PipelineLayout) {
        self.queue = queue
        self.layout = layout
    }

    /// What a finished reproduction found.
    public struct Verdict: Sendable, Equatable {
        public var source: Int64
        public var scoreMatches: Bool
        public var modelMatches: Bool
        public var exact: Bool { scoreMatches && modelMatches }
        /// In a sentence, with the figures.
        public var detail: String
    }

    /// Enqueues the reproduction of `sourceID` for `caller` (its participant, or a host).
    /// Nothing is stored when it is refused.
    public func start(_ sourceID: Int64, callerUID: UInt32, isHost: Bool, now: Date = Date()) throws -> Submission {
        try queue.writer.write { db in
            guard let source = try Submission.fetchOne(db, key: sourceID), isHost || source.participantUID == callerUID else {
                throw PipelineError(.unknownSubmission, "no submission \(sourceID) of yours; `hekatonctl submissions` lists them")
            }
            guard source.kind == .submission else {
                throw PipelineError(.conflict, "submission \(sourceID) is a \(source.kind.rawValue) the daemon made; reproduce the participant's submission it came from (\(source.sourceSubmissionID.map { "#\($0)" } ?? "none"))")
            }
            guard source.state == .scored else {
                throw PipelineError(.conflict, "submission \(sourceID) is \(source.state.rawValue); only a scored submission can be reproduced")
            }
            // The same data or nothing: retention may have let an old version's bytes go.
            if let data = try DatasetVersion.fetchOne(db, key: source.datasetVersionID), data.dataPrunedAt != nil {
                throw PipelineError(.conflict, RetentionPolicy.prunedMessage(data, db: db, for: "submission \(sourceID) cannot be reproduced"))
            }
            guard let version = try CompetitionVersion.fetchOne(db, key: source.competitionVersionID) else {
                throw PipelineError(.unknownCompetition, "the competition version submission \(sourceID) ran under is gone")
            }
            // A reproduction costs what a submission costs: it counts against the same daily limit.
            let limit = version.manifest.submission.perParticipantPerDay
            let recent = try Submission.filter(sql: """
                participant_uid = ? AND competition = ? AND submitted_at > ? AND kind IN ('submission', 'reproduce')
                """, arguments: [source.participantUID, source.competition, now.addingTimeInterval(-86400)]).fetchCount(db)
            guard recent < limit else {
                throw PipelineError(.rateLimited, "\(source.participant) has made \(recent) submissions and reproductions to '\(source.competition)' in the last 24 hours; the limit is \(limit) a day")
            }
            var reproduction = source.derived(.reproduce, round: nil, competitionVersionID: source.competitionVersionID,
                                              datasetVersionID: source.datasetVersionID)
            reproduction.submittedAt = now
            try reproduction.insert(db)
            let id = reproduction.id!
            let bundle = try CodeBundle.findOrCreate(digest: try Digest(parsing: source.bundleDigest), submitter: source.participant, at: now, db)
            let competitionContext = try LineageContext.findOrCreate(.competition, name: source.competition, at: now, db)
            let context = try LineageContext.findOrCreate(.submission, name: "\(source.competition)-\(id)", parentID: competitionContext.id, at: now, db)
            try context.add([bundle.node, .datasetVersion(source.datasetVersionID)], db)
            try SubmissionIntake.enqueueStages(db, for: &reproduction, manifest: version.manifest, queue: queue, layout: layout,
                                               extraLabels: ["hekaton.reproduces": "\(sourceID)"],
                                               shareKey: SubmissionIntake.shareKey(participant: source.participant))
            return reproduction
        }
    }

    /// The verdict on a finished reproduction; nil while it runs, or for another kind.
    public static func verdict(_ reproduction: Submission, _ db: Database) throws -> Verdict? {
        guard reproduction.kind == .reproduce, reproduction.state.isFinal, let sourceID = reproduction.sourceSubmissionID,
              let source = try Submission.fetchOne(db, key: sourceID) else { return nil }
        guard reproduction.state == .scored else {
            return Verdict(source: sourceID, scoreMatches: false, modelMatches: false,
                           detail: "did not reproduce #\(sourceID): the run \(reproduction.state == .cancelled ? "was cancelled" : "failed")\(reproduction.error.map { ": \($0)" } ?? "")")
        }
        func digest(_ id: Int64?) throws -> Digest? { try id.flatMap { try Model.fetchOne(db, key: $0) }?.digest }
        let before = try digest(source.modelID), after = try digest(reproduction.modelID)
        let modelMatches = before != nil && before == after
        let scoreMatches = source.score == reproduction.score
        func shown(_ score: Double?) -> String { score.map { String(format: "%.6f", $0) } ?? "none" }
        func short(_ digest: Digest?) -> String { digest.map { String($0.description.prefix(19)) } ?? "none" }
        let detail: String
        if modelMatches && scoreMatches {
            detail = "reproduced #\(sourceID) exactly: the model digest (\(short(after))) and the score (\(shown(after == nil ? nil : reproduction.score))) match"
        } else {
            var differences: [String] = []
            if !modelMatches { differences.append("the model digest differs (\(short(before)) then, \(short(after)) now)") }
            if !scoreMatches { differences.append("the score differs (\(shown(source.score)) then, \(shown(reproduction.score)) now)") }
            else { differences.append("the score matches (\(shown(source.score)))") }
            detail = "did not reproduce #\(sourceID) exactly: " + differences.joined(separator: "; ")
                + "; the code draws on something besides its data and seed (os.urandom, the clock, thread timing)"
        }
        return Verdict(source: sourceID, scoreMatches: scoreMatches, modelMatches: modelMatches, detail: detail)
    }

    /// For the leaderboard: per submission of `competition` that was reproduced, whether its
    /// latest finished reproduction matched exactly.
    public static func marks(_ competition: String, _ db: Database) throws -> [Int64: Bool] {
        let finished = try Submission.filter(sql: "competition = ? AND kind = 'reproduce' AND state IN ('scored', 'failed')",
                                             arguments: [competition]).order(sql: "id").fetchAll(db)
        var marks: [Int64: Bool] = [:]
        for reproduction in finished {
            if let verdict = try verdict(reproduction, db) { marks[verdict.source] = verdict.exact }
        }
        return marks
    }
}
