/// `PUT /v1/competitions/{name}/teams/{team}`: the team's members, by user name (each must
/// be a user on the daemon's machine).
public struct TeamRequest: Codable, Sendable, Equatable {
    public var members: [String]
    public init(members: [String]) { self.members = members }
}

public struct TeamInfo: Codable, Sendable, Equatable {
    public var team: String
    public var members: [String]
    public init(team: String, members: [String]) {
        self.team = team
        self.members = members
    }
}

public struct TeamList: Codable, Sendable, Equatable {
    public var competition: String
    public var teams: [TeamInfo]
    public init(competition: String, teams: [TeamInfo]) {
        self.competition = competition
        self.teams = teams
    }
}
