import ControlAPI
import Foundation
import GRDB
import Pipeline

extension Router {
    /// Final selections: a participant sees and sets their own (their team's, when in one);
    /// the routes check that every submission is theirs.
    mutating func addSelectionRoutes(_ daemon: DaemonContext) {
        add("GET", "/v1/competitions/{name}/selections", .owner) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            return .json(try await daemon.selectionInfo(competition, uid: request.caller.uid))
        }
        add("PUT", "/v1/competitions/{name}/selections", .owner) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let body = try request.decode(SelectionRequest.self)
            let limit = CompetitionManifest.Metric.Splits.maximumSelections
            guard body.submissions.count <= limit else {
                throw Problem(title: "Selections refused", status: 400,
                              detail: "\(body.submissions.count) submissions selected; no competition takes more than \(limit)")
            }
            do {
                try await daemon.database.write { db in
                    try Selections.set(body.submissions, in: competition.competition, callerUID: request.caller.uid, now: Date(), db)
                }
            } catch let error as PipelineError {
                let status = switch error.code {
                case .unknownSubmission, .unknownCompetition: 404
                case .conflict, .notOpen: 409
                default: 400
                }
                throw Problem(title: "Selections refused", status: status, detail: error.message)
            }
            return .json(try await daemon.selectionInfo(competition, uid: request.caller.uid))
        }
    }
}

extension DaemonContext {
    func selectionInfo(_ competition: CompetitionVersion, uid: UInt32) async throws -> SelectionInfo {
        guard let splits = competition.manifest.metric.splits else {
            throw Problem(title: "No final selections", status: 409,
                          detail: "'\(competition.competition)' has one leaderboard (no metric.splits in its manifest): there is nothing to select for")
        }
        let (standing, team) = try await database.read { db in
            (try Selections.standing(of: uid, in: competition, db), try Teams.team(of: uid, in: competition.competition, db)?.name)
        }
        var info = SelectionInfo(competition: competition.competition, limit: splits.selectionLimit, chosen: standing.chosen,
                                 submissions: standing.submissions.map {
                                     SelectedSubmission(id: $0.id!, participant: $0.participant, tag: $0.tag, publicScore: $0.publicScore)
                                 })
        info.team = team
        return info
    }
}
