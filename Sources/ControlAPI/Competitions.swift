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
    /// upcoming, open or closed: whether it takes submissions now.
    public var phase: String?
    /// The manifest's `phases:` (RFC 3339), and when a host closed it by hand.
    public var opensAt: String?
    public var closesAt: String?
    public var closedAt: String?
    /// The times as the host wrote them, in the manifest's zone: `2026-12-01 09:00 Asia/Tokyo`.
    public var opensLocal: String?
    public var closesLocal: String?
    /// After `POST .../close`: true when this call closed it, false when it was closed already.
    public var closedNow: Bool?

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
