import ControlAPI
import Foundation
import GRDB
import Pipeline

extension Router {
    /// Teams: hosts define them; everyone who reaches the socket may see them (the
    /// leaderboard shows them anyway).
    mutating func addTeamRoutes(_ daemon: DaemonContext) {
        add("GET", "/v1/competitions/{name}/teams", .anyone) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let teams = try await daemon.database.read { db in try Teams.all(of: competition.competition, db) }
            return .json(TeamList(competition: competition.competition,
                                  teams: teams.map { TeamInfo(team: $0.team, members: $0.members.map(\.name)) }))
        }
        add("PUT", "/v1/competitions/{name}/teams/{team}", .host) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let team = request.parameters["team"] ?? ""
            let body = try request.decode(TeamRequest.self)
            guard body.members.count <= Teams.maximumMembers else {
                throw Problem(title: "Team refused", status: 400, detail: "team '\(team)' lists \(body.members.count) members; the limit is \(Teams.maximumMembers)")
            }
            var members: [Teams.Member] = []
            var unknown: [String] = []
            for name in body.members {
                if let uid = CallerIdentity.userID(named: name) { members.append(Teams.Member(name: name, uid: uid)) } else { unknown.append(name) }
            }
            guard unknown.isEmpty else {
                throw Problem(title: "Team refused", status: 400,
                              detail: "no user named \(unknown.map { "'\($0.prefix(64))'" }.joined(separator: ", ")) on this machine; members are the users who submit (`id NAME` shows one)")
            }
            let chosen = members
            do {
                try await daemon.database.write { db in try Teams.set(team, of: competition.competition, members: chosen, now: Date(), db) }
            } catch let error as PipelineError {
                throw Problem(title: "Team refused", status: error.code == .conflict ? 409 : 400, detail: error.message)
            }
            return .json(TeamInfo(team: team, members: members.map(\.name).sorted()))
        }
        add("DELETE", "/v1/competitions/{name}/teams/{team}", .host) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let team = request.parameters["team"] ?? ""
            let removed = try await daemon.database.write { db in try Teams.remove(team, of: competition.competition, db) }
            guard removed else {
                throw Problem(title: "No such team", status: 404, detail: "'\(competition.competition)' has no team '\(team.prefix(64))'; `hekatonctl team list \(competition.competition)` shows them")
            }
            return .json(TeamInfo(team: team, members: []))
        }
    }
}
