/// `PUT /v1/competitions/{name}/selections`: the submissions the caller (or their team) puts
/// forward for the private board; an empty list goes back to the default (the best public ones).
public struct SelectionRequest: Codable, Sendable, Equatable {
    public var submissions: [Int64]
    public init(submissions: [Int64]) { self.submissions = submissions }
}

/// What counts for the caller's entrant on the private board.
public struct SelectionInfo: Codable, Sendable, Equatable {
    public var competition: String
    /// How many may be selected (`metric.final_selections`).
    public var limit: Int
    /// True when the entrant chose them; false when their best public submissions stand in.
    public var chosen: Bool
    public var submissions: [SelectedSubmission]
    /// The team the selections are shared with, when the caller is in one.
    public var team: String?

    public init(competition: String, limit: Int, chosen: Bool, submissions: [SelectedSubmission]) {
        self.competition = competition
        self.limit = limit
        self.chosen = chosen
        self.submissions = submissions
    }
}

public struct SelectedSubmission: Codable, Sendable, Equatable {
    public var id: Int64
    public var participant: String
    public var tag: String?
    public var publicScore: Double?
    public init(id: Int64, participant: String, tag: String?, publicScore: Double?) {
        self.id = id
        self.participant = participant
        self.tag = tag
        self.publicScore = publicScore
    }
}
