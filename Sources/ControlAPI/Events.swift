/// `GET /v1/events`: what happened that a person might act on, oldest first. Participants
/// get the events about their own submissions; hosts get all.
public struct EventInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: String
    /// `submission.scored`, `submission.failed`, `round.decided`, `production.promoted`,
    /// `production.rolled-back`, `ingestion.new-version`, `ingestion.unchanged`,
    /// `ingestion.failed`, `artifact.built`, `artifact.failed`, `job.dead`, `schedule.missed`.
    public var kind: String
    public var competition: String?
    public var message: String
    public var data: [String: String]

    public init(id: Int64, at: String, kind: String, competition: String?, message: String, data: [String: String]) {
        self.id = id
        self.at = at
        self.kind = kind
        self.competition = competition
        self.message = message
        self.data = data
    }
}

public struct EventList: Codable, Sendable, Equatable {
    public var events: [EventInfo]
    /// The last event's id (or the `after` asked with, when none came): ask `after` it next.
    public var last: Int64
    public init(events: [EventInfo], last: Int64) {
        self.events = events
        self.last = last
    }
}
