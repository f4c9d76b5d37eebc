/// A submission as the API shows it.
public struct SubmissionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var competition: String
    public var participant: String
    public var tag: String?
    /// queued, building, training, predicting, scoring, scored, failed, cancelled
    public var state: String
    /// The stage that failed or is running.
    public var stage: String?
    public var score: Double?
    public var error: String?
    /// The last lines of the failed stage's log, for a failure.
    public var logTail: String?
    public var bundleDigest: String
    public var modelDigest: String?
    public var submittedAt: String
    public var finishedAt: String?
    public var jobs: [String: Int64]
    /// submission (a participant's), retrain (of `source`, on new data), evaluate (the
    /// production model from `source`, on new data), reproduce (`source` run again) or
    /// rescore (`source`'s model on a newer dataset version).
    public var kind: String?
    public var source: Int64?
    public var datasetVersion: String?
    /// For a finished reproduction (kind `reproduce`): whether it matched its source exactly,
    /// and what it found, in a sentence.
    public var reproduced: Bool?
    public var reproduction: String?

    public init(id: Int64, competition: String, participant: String, tag: String?, state: String, stage: String?, score: Double?,
                error: String?, logTail: String?, bundleDigest: String, modelDigest: String?, submittedAt: String,
                finishedAt: String?, jobs: [String: Int64]) {
        self.id = id
        self.competition = competition
        self.participant = participant
        self.tag = tag
        self.state = state
        self.stage = stage
        self.score = score
        self.error = error
        self.logTail = logTail
        self.bundleDigest = bundleDigest
        self.modelDigest = modelDigest
        self.submittedAt = submittedAt
        self.finishedAt = finishedAt
        self.jobs = jobs
    }
}

public struct SubmissionList: Codable, Sendable, Equatable {
    public var submissions: [SubmissionInfo]
    public init(submissions: [SubmissionInfo]) { self.submissions = submissions }
}

public struct LeaderboardEntry: Codable, Sendable, Equatable {
    public var rank: Int
    public var participant: String
    public var tag: String?
    public var score: Double
    public var submission: Int64
    public var submittedAt: String
    /// Whether its latest reproduction (`hekatonctl reproduce`) matched exactly; nil: never reproduced.
    public var reproduced: Bool?
    /// The team the entry ranks for, when its participant is in one.
    public var team: String?
    /// With splits: its public score, and its private one where the caller may see it (hosts,
    /// or everyone once the competition has closed).
    public var publicScore: Double?
    public var privateScore: Double?
    /// On the private board, the shake-up: the entrant's public rank, and how many places
    /// they moved from it (positive: up).
    public var publicRank: Int?
    public var movement: Int?
    /// On the private board: whether the entrant selected what counts (false: their best
    /// public submissions stood in).
    public var selected: Bool?
    /// How the entry holds up as the data moves: its scores on the latest dataset versions
    /// (`rescore.stability` of them) that it has one for; absent with fewer than two.
    public var stability: StabilityInfo?
    /// With `?history=N`: its score on each of the dataset's latest N versions, oldest
    /// first (nil where it has none: submitted later, or not re-scored there).
    public var history: [Double?]?

    public init(rank: Int, participant: String, tag: String?, score: Double, submission: Int64, submittedAt: String) {
        self.rank = rank
        self.participant = participant
        self.tag = tag
        self.score = score
        self.submission = submission
        self.submittedAt = submittedAt
    }
}

public struct StabilityInfo: Codable, Sendable, Equatable {
    public var mean: Double
    /// The standard deviation of the scores.
    public var spread: Double
    public var versions: Int
    public init(mean: Double, spread: Double, versions: Int) {
        self.mean = mean
        self.spread = spread
        self.versions = versions
    }
}

public struct LeaderboardResponse: Codable, Sendable, Equatable {
    public var competition: String
    public var metric: String
    public var direction: String
    public var entries: [LeaderboardEntry]
    /// With public and private splits: which board ranks (`public` or `private`); absent: one board.
    public var board: String?
    /// With `?version=`: the dataset version (`DATASET@TAG`) the board stood on; absent: the
    /// entries as submitted.
    public var datasetVersion: String?
    /// With `?history=N`: the dataset versions (`DATASET@TAG`) the entries' `history` spans.
    public var historyVersions: [String]?

    public init(competition: String, metric: String, direction: String, entries: [LeaderboardEntry]) {
        self.competition = competition
        self.metric = metric
        self.direction = direction
        self.entries = entries
    }
}
