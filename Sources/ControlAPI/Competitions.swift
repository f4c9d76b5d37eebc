/// `POST /v1/competitions`: publish a competition directory (hosts only).
public struct CompetitionPublishRequest: Codable, Sendable, Equatable {
    /// Absolute path of the directory holding `hekaton.yaml`, read by the daemon.
    public var path: String
    public var tag: String?

    public init(path: String, tag: String?) {
        self.path = path
        self.tag = tag
    }
}

public struct CompetitionInfo: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var tag: String
    public var rootDigest: String
    public var metric: String
    /// maximize or minimize
    public var direction: String
    public var dataset: String
    public var maxBundleBytes: Int64
    public var perParticipantPerDay: Int
    public var publishedAt: String
    public var versions: Int
    /// False when the content equals the latest version's and nothing was published.
    public var created: Bool?

    public init(name: String, description: String, tag: String, rootDigest: String, metric: String, direction: String,
                dataset: String, maxBundleBytes: Int64, perParticipantPerDay: Int, publishedAt: String, versions: Int,
                created: Bool? = nil) {
        self.name = name
        self.description = description
        self.tag = tag
        self.rootDigest = rootDigest
        self.metric = metric
        self.direction = direction
        self.dataset = dataset
        self.maxBundleBytes = maxBundleBytes
        self.perParticipantPerDay = perParticipantPerDay
        self.publishedAt = publishedAt
        self.versions = versions
        self.created = created
    }
}

public struct CompetitionList: Codable, Sendable, Equatable {
    public var competitions: [CompetitionInfo]
    public init(competitions: [CompetitionInfo]) { self.competitions = competitions }
}
