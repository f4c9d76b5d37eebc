import Foundation
import GRDB
@testable import Pipeline
import Testing

/// Final selections and the private board they decide: each entrant ranks by the best
/// private score among what they selected (or, selecting nothing, their best public ones),
/// and each entry shows the shake-up from its public rank.
@Suite("Final selections and the shake-up")
struct SelectionTests {
    static let splits = "  splits: {public: 0.5, private: 0.5}\n  final_selections: 2"

    /// A scored submission of `participant` (uid `uid`) with these public and private scores.
    static func scored(_ fixture: PipelineJobsFixture, _ participant: String, uid: UInt32, public: Double, private: Double) throws -> Int64 {
        let id = try fixture.submit(participant).id!
        try fixture.database.write { db in
            try db.execute(sql: """
                UPDATE submission SET state = 'scored', participant_uid = ?, public_score = ?, private_score = ?, score = ? WHERE id = ?
                """, arguments: [uid, `public`, `private`, (`public` + `private`) / 2, id])
        }
        return id
    }

    static func board(_ fixture: PipelineJobsFixture, _ board: Leaderboard.Board) throws -> [Leaderboard.Entry] {
        try fixture.database.read { db in
            try Leaderboard.of(try #require(try CompetitionVersion.latest(of: PipelineJobsFixture.competition, db)), db, board: board)
        }
    }

    static func select(_ fixture: PipelineJobsFixture, _ ids: [Int64], uid: UInt32, now: Date = Date()) throws {
        try fixture.database.write { db in
            try Selections.set(ids, in: PipelineJobsFixture.competition, callerUID: uid, now: now, db)
        }
    }

    @Test("Selecting nothing, the best public ones count; a selection decides the final rank; the shake-up is each entry's public rank")
    func shakeUp() throws {
        let fixture = try PipelineJobsFixture(metric: Self.splits) { _, _ in .succeed(score: 0.5) }
        // Ada fits the public rows: her two best public submissions are weak in private; her
        // third is the other way round.
        let overfit = try Self.scored(fixture, "ada", uid: 1001, public: 0.9, private: 0.1)
        _ = try Self.scored(fixture, "ada", uid: 1001, public: 0.8, private: 0.2)
        let sound = try Self.scored(fixture, "ada", uid: 1001, public: 0.1, private: 0.95)
        let steady = try Self.scored(fixture, "bob", uid: 1002, public: 0.5, private: 0.5)

        let publicBoard = try Self.board(fixture, .public)
        #expect(publicBoard.map(\.submission.id) == [overfit, steady])

        var privateBoard = try Self.board(fixture, .private)
        #expect(privateBoard.map(\.submission.participant) == ["bob", "ada"],
                "by default ada's best public two count, and the best private among them is 0.2")
        #expect(privateBoard.map(\.score) == [0.5, 0.2])
        #expect(privateBoard.map(\.publicRank) == [2, 1])
        #expect(privateBoard.map(\.chosen) == [false, false])

        try Self.select(fixture, [sound, overfit], uid: 1001)
        privateBoard = try Self.board(fixture, .private)
        #expect(privateBoard.map(\.submission.id) == [sound, steady])
        #expect(privateBoard.map(\.publicRank) == [1, 2], "ada's public rank is her best public score's, whatever she selected")
        #expect(privateBoard.map(\.chosen) == [true, false])
        #expect(try Self.board(fixture, .public).map(\.submission.id) == [overfit, steady], "selections do not touch the public board")

        // Selecting again replaces; selecting nothing goes back to the default.
        try Self.select(fixture, [overfit], uid: 1001)
        #expect(try Self.board(fixture, .private).map(\.submission.participant) == ["bob", "ada"])
        try Self.select(fixture, [], uid: 1001)
        #expect(try Self.board(fixture, .private).map(\.chosen) == [false, false])
    }

    @Test("Another's submission, more than the limit, an unscored one, a board-less competition and a closed one are refused, changing nothing")
    func refusals() throws {
        let fixture = try PipelineJobsFixture(metric: Self.splits) { _, _ in .succeed(score: 0.5) }
        let first = try Self.scored(fixture, "ada", uid: 1001, public: 0.9, private: 0.1)
        let second = try Self.scored(fixture, "ada", uid: 1001, public: 0.8, private: 0.2)
        let third = try Self.scored(fixture, "ada", uid: 1001, public: 0.7, private: 0.3)
        let bobs = try Self.scored(fixture, "bob", uid: 1002, public: 0.5, private: 0.5)
        let queued = try fixture.submit("ada").id!
        try fixture.database.write { db in try db.execute(sql: "UPDATE submission SET participant_uid = 1001 WHERE id = ?", arguments: [queued]) }
        try Self.select(fixture, [third], uid: 1001)
        func selections() throws -> Set<Int64> {
            try fixture.database.read { db in try Selections.chosenIDs(in: PipelineJobsFixture.competition, db) }
        }

        func refusal(_ ids: [Int64], uid: UInt32 = 1001, now: Date = Date()) -> PipelineError? {
            do { try Self.select(fixture, ids, uid: uid, now: now); return nil } catch { return error as? PipelineError }
        }
        let others = refusal([first, bobs])
        #expect(others?.code == .unknownSubmission && others?.message.contains("no submission \(bobs) of yours") == true, "\(String(describing: others))")
        let tooMany = refusal([first, second, third])
        #expect(tooMany?.code == .invalidManifest && tooMany?.message.contains("takes up to 2 (metric.final_selections)") == true,
                "\(String(describing: tooMany))")
        let unscored = refusal([queued])
        #expect(unscored?.code == .conflict && unscored?.message.contains("only a scored submission can be selected") == true,
                "\(String(describing: unscored))")
        #expect(refusal([first, first]) == nil, "a submission named twice is selected once")
        #expect(try selections() == [first])
        try Self.select(fixture, [third], uid: 1001)

        try fixture.database.write { db in
            let version = try #require(try CompetitionVersion.latest(of: PipelineJobsFixture.competition, db))
            _ = try CompetitionClosure.close(version, by: 0, now: Date(), db)
        }
        let late = refusal([first])
        #expect(late?.code == .notOpen && late?.message.contains("its final selections are settled") == true, "\(String(describing: late))")
        #expect(try selections() == [third], "the refusals changed nothing")

        let oneBoard = try PipelineJobsFixture { _, _ in .succeed(score: 0.5) }
        let only = try Self.scored(oneBoard, "ada", uid: 1001, public: 0.5, private: 0.5)
        do {
            try Self.select(oneBoard, [only], uid: 1001)
            Issue.record("a competition without a private board took a selection")
        } catch let error as PipelineError {
            #expect(error.code == .conflict && error.message.contains("there is no private board to select for"), "\(error)")
        }
    }

    @Test("A team selects once for all its members, and ranks once")
    func team() throws {
        let fixture = try PipelineJobsFixture(metric: Self.splits) { _, _ in .succeed(score: 0.5) }
        let adas = try Self.scored(fixture, "ada", uid: 1001, public: 0.9, private: 0.1)
        let bobs = try Self.scored(fixture, "bob", uid: 1002, public: 0.2, private: 0.8)
        _ = try Self.scored(fixture, "cy", uid: 1003, public: 0.5, private: 0.5)
        try fixture.database.write { db in
            try Teams.set("red", of: PipelineJobsFixture.competition, members: [.init(name: "ada", uid: 1001), .init(name: "bob", uid: 1002)],
                          now: Date(), db)
        }
        // Ada selects her teammate's submission: the team's selections are the team's.
        try Self.select(fixture, [bobs], uid: 1001)
        let board = try Self.board(fixture, .private)
        #expect(board.map(\.submission.id) == [bobs, board[1].submission.id] && board.count == 2, "\(board.map(\.submission.participant))")
        #expect(board.first?.publicRank == 1, "the team's public rank is its best public score's (ada's 0.9)")
        // Bob's new selection replaces ada's.
        try Self.select(fixture, [adas], uid: 1002)
        #expect(try Self.board(fixture, .private).map(\.submission.participant) == ["cy", "ada"])
    }

    @Test("A manifest's final_selections needs splits and a count in range")
    func manifest() throws {
        let base = """
            name: toy
            dataset: {name: d, train: train, features: f, labels: l}
            entrypoints: {train: [python3, t.py], predict: [python3, p.py], score: [python3, s.py]}
            """
        #expect(throws: (any Error).self) {
            try CompetitionManifest.parse(base + "\nmetric: {name: m, direction: maximize, final_selections: 2}", file: "hekaton.yaml")
        }
        #expect(throws: (any Error).self) {
            try CompetitionManifest.parse(base + "\nmetric: {name: m, direction: maximize, splits: {public: 0.3, private: 0.7}, final_selections: 0}",
                                          file: "hekaton.yaml")
        }
        let manifest = try CompetitionManifest.parse(base + "\nmetric: {name: m, direction: maximize, splits: {public: 0.3, private: 0.7}, final_selections: 3}",
                                                     file: "hekaton.yaml")
        #expect(manifest.metric.splits?.selectionLimit == 3)
        let defaulted = try CompetitionManifest.parse(base + "\nmetric: {name: m, direction: maximize, splits: {public: 0.3, private: 0.7}}", file: "hekaton.yaml")
        #expect(defaulted.metric.splits?.selectionLimit == 2)
    }
}
