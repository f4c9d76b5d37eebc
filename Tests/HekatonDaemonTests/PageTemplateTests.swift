import ControlAPI
import Foundation
@testable import HekatonDaemon
import Testing

@Suite("The pages' templates")
struct PageTemplateTests {
    @Test("Every template parses, and what comes from the database is escaped, in text and in attributes")
    func escaping() throws {
        let library = try PageTemplates.library.get()
        for name in PageTemplates.all.keys {
            #expect(library.getTemplate(named: name) != nil, "\(name)")
        }
        let hostile = "<script>alert(\"x\")</script>' onmouseover='y"
        let html = try #require(library.render(["rows": [["name": hostile, "link": hostile, "description": hostile]], "empty": false] as [String: Any],
                                               withTemplate: "competitions"))
        #expect(!html.contains("<script>"))
        #expect(!html.contains("' onmouseover"))
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test("A log becomes one Server-Sent Event a line; a partial line waits for its end; a carriage return cannot end a field")
    func events() {
        var partial: [UInt8] = []
        #expect(String(decoding: LogStream.frames(&partial, adding: Array("one\ntw".utf8), flush: false), as: UTF8.self) == "data: one\n\n")
        #expect(String(decoding: LogStream.frames(&partial, adding: Array("o\r\nthree".utf8), flush: false), as: UTF8.self) == "data: two \n\n")
        #expect(String(decoding: LogStream.frames(&partial, adding: [], flush: true), as: UTF8.self) == "data: three\n\n")
        #expect(partial.isEmpty)
    }

    @Test("Names become one path segment")
    func segments() {
        #expect(Pages.pathSegment("a/b?c#d e") == "a%2Fb%3Fc%23d%20e")
        #expect(Pages.seconds(75) == "1 min 15 s")
    }
}

@Suite("The history chart")
struct HistoryChartTests {
    @Test("One point a dataset version, a version without a score hollow, marks where they happened, names escaped")
    func points() {
        var points: [HistoryChart.Point] = []
        for index in 0..<5 {
            let version = index == 2 ? "<v2>" : "v\(index)"
            let score: Double? = index == 3 ? nil : Double(index) / 10
            points.append(HistoryChart.Point(version: version, score: score, promoted: index == 1, kept: index == 2, rolledBack: index == 4))
        }
        let svg = HistoryChart(points: points, metric: "ndcg").svg()
        #expect(svg.components(separatedBy: "<circle class=\"point\"").count - 1 == 5)
        #expect(svg.contains("data-version=\"&lt;v2&gt;\""))
        #expect(!svg.contains("<v2>"))
        #expect(svg.contains("class=\"mark promoted\"") && svg.contains("class=\"mark kept\"") && svg.contains("class=\"mark rollback\""))
    }
}

/// Figures, printed and not asserted: a leaderboard page of 1,000 entries and a history page
/// of 365 dataset versions, rendered from the API's answers as the routes render them
/// (the API's own query time is not in them).
@Suite("Page figures")
struct PageFigureTests {
    @Test("FIGURES: page size and render time for a leaderboard of 1,000 entries and a history of 365 versions")
    func figures() throws {
        let library = try PageTemplates.library.get()
        let caller = Caller(uid: 1000, gid: 1000, pid: 1, user: "ada", isAdmin: false)
        let entries = (1...1000).map { rank in
            LeaderboardEntry(rank: rank, participant: "participant-\(rank)", tag: "tag-\(rank)", score: 1 / Double(rank + 1),
                             submission: Int64(rank), submittedAt: "2026-12-01T10:00:00.000Z")
        }
        let board = Pages.board(LeaderboardResponse(competition: "pococha", metric: "ndcg@10", direction: "higher", entries: entries), caller: caller)
        let leaderboard = Page(title: "pococha", template: "competition",
                               values: ["name": "pococha", "description": "Who will they watch", "boards": [board], "datasetVersions": [[String: String]]()] as [String: Any])
        var rows: [HistoryRow] = []
        for day in 0..<365 {
            let tag = "v\(day)"
            let round = RoundInfo(id: Int64(day), competition: "pococha", trigger: "ingest", datasetVersion: tag, state: day % 7 == 0 ? "promoted" : "kept",
                                  decision: "kept production", productionModel: 1, productionScore: 0.3 + Double(day % 11) / 100,
                                  bestModel: 2, bestScore: 0.31, members: [], createdAt: "2026-01-01T00:00:00Z", decidedAt: nil)
            rows.append(HistoryRow(datasetVersion: tag, registeredAt: RFC3339.string(Date(timeIntervalSince1970: 1_767_225_600 + Double(day) * 86_400)),
                                   rounds: [round], production: nil, artifacts: []))
        }
        let response = HistoryResponse(competition: "pococha", metric: "ndcg@10", direction: "higher", tolerance: 0, rows: rows, promotions: [])
        let pages: [(String, () -> Page)] = [("leaderboard of 1,000 entries", { leaderboard }),
                                             ("history of 365 versions (its chart drawn each time)", { Pages.historyPage(response) })]
        for (name, page) in pages {
            let clock = ContinuousClock()
            var html = ""
            let runs = 5
            let elapsed = clock.measure { for _ in 0..<runs { html = Pages.html(page(), for: caller, library) } }
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            print("FIGURES page \(name): \(html.utf8.count) bytes, rendered in \(String(format: "%.1f", milliseconds / Double(runs))) ms (mean of \(runs))")
            #expect(html.contains("<h1>"))
        }
    }
}

@Suite("The history page")
struct HistoryPageTests {
    @Test("It lists each version's artifacts, escaped, the model linking to its submission's page")
    func artifacts() throws {
        let library = try PageTemplates.library.get()
        let artifact = ArtifactInfo(id: 7, competition: "pococha", job: 9, state: "failed", digest: nil, model: 3, submission: 12,
                                    datasetVersion: "pococha-daily@v1", ociReference: nil, ociManifestDigest: nil, path: nil,
                                    error: "<b>disk</b> full", at: "2026-12-01T10:00:00Z")
        let row = HistoryRow(datasetVersion: "v1", registeredAt: "2026-12-01T09:00:00Z", rounds: [], production: nil, artifacts: [artifact])
        let page = Pages.historyPage(HistoryResponse(competition: "pococha", metric: "recall@10", direction: "maximize", tolerance: 0,
                                                     rows: [row], promotions: []))
        let html = Pages.html(page, for: Caller(uid: 0, gid: 0, pid: 1, user: "root", isAdmin: true), library)
        #expect(html.contains("<a href=\"/ui/submissions/12\">model 3</a>"))
        #expect(html.contains("&lt;b&gt;disk&lt;/b&gt; full"))
        #expect(html.contains("No retraining round yet."))
    }
}
