/// The automation loop on the wire: production models, retraining rounds, ingestions,
/// artifacts, the status dashboard and a competition's history.

/// `POST /v1/schedules/{name}/run` (optional body): the instant the run stands for.
public struct ScheduleRunRequest: Codable, Sendable, Equatable {
    /// RFC 3339; a backfill's day. Absent means now.
    public var logicalTime: String?

    public init(logicalTime: String? = nil) {
        self.logicalTime = logicalTime
    }
}

/// `POST /v1/competitions/{name}/promote`.
public struct PromoteRequest: Codable, Sendable, Equatable {
    /// A model id (`12`), a model digest prefix (`sha256:ab12cd34`) or a submission (`#5`).
    public var model: String
    public var reason: String?

    public init(model: String, reason: String? = nil) {
        self.model = model
        self.reason = reason
    }
}

/// `POST /v1/competitions/{name}/rollback`.
public struct RollbackRequest: Codable, Sendable, Equatable {
    public var reason: String?

    public init(reason: String? = nil) {
        self.reason = reason
    }
}

public struct PromotionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var competition: String
    public var model: Int64
    public var modelDigest: String?
    public var submission: Int64
    public var participant: String?
    /// initial, automatic, promote, rollback
    public var kind: String
    public var actor: String
    public var reason: String
    public var score: Double?
    public var round: Int64?
    public var at: String

    public init(id: Int64, competition: String, model: Int64, modelDigest: String?, submission: Int64, participant: String?,
                kind: String, actor: String, reason: String, score: Double?, round: Int64?, at: String) {
        self.id = id
        self.competition = competition
        self.model = model
        self.modelDigest = modelDigest
        self.submission = submission
        self.participant = participant
        self.kind = kind
        self.actor = actor
        self.reason = reason
        self.score = score
        self.round = round
        self.at = at
    }
}

public struct RoundMemberInfo: Codable, Sendable, Equatable {
    public var submission: Int64
    /// retrain or evaluate
    public var kind: String
    /// The champion retrained, or the submission whose production model is evaluated.
    public var source: Int64?
    public var state: String
    public var score: Double?
    public var model: Int64?
    public var error: String?

    public init(submission: Int64, kind: String, source: Int64?, state: String, score: Double?, model: Int64?, error: String?) {
        self.submission = submission
        self.kind = kind
        self.source = source
        self.state = state
        self.score = score
        self.model = model
        self.error = error
    }
}

public struct RoundInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var competition: String
    /// ingest, schedule, registration
    public var trigger: String
    public var datasetVersion: String
    /// running, promoted, kept, failed, skipped
    public var state: String
    public var decision: String?
    public var productionModel: Int64?
    public var productionScore: Double?
    public var bestModel: Int64?
    public var bestScore: Double?
    public var members: [RoundMemberInfo]
    public var createdAt: String
    public var decidedAt: String?

    public init(id: Int64, competition: String, trigger: String, datasetVersion: String, state: String, decision: String?,
                productionModel: Int64?, productionScore: Double?, bestModel: Int64?, bestScore: Double?,
                members: [RoundMemberInfo], createdAt: String, decidedAt: String?) {
        self.id = id
        self.competition = competition
        self.trigger = trigger
        self.datasetVersion = datasetVersion
        self.state = state
        self.decision = decision
        self.productionModel = productionModel
        self.productionScore = productionScore
        self.bestModel = bestModel
        self.bestScore = bestScore
        self.members = members
        self.createdAt = createdAt
        self.decidedAt = decidedAt
    }
}

public struct IngestionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var dataset: String
    public var competition: String
    public var job: Int64
    /// new-version, unchanged, failed
    public var outcome: String
    public var datasetVersion: String?
    public var files: Int64?
    public var bytes: Int64?
    public var error: String?
    public var logicalTime: String?
    public var at: String

    public init(id: Int64, dataset: String, competition: String, job: Int64, outcome: String, datasetVersion: String?,
                files: Int64?, bytes: Int64?, error: String?, logicalTime: String?, at: String) {
        self.id = id
        self.dataset = dataset
        self.competition = competition
        self.job = job
        self.outcome = outcome
        self.datasetVersion = datasetVersion
        self.files = files
        self.bytes = bytes
        self.error = error
        self.logicalTime = logicalTime
        self.at = at
    }
}

public struct ArtifactInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var competition: String
    public var job: Int64
    /// succeeded, failed, pruned
    public var state: String
    public var digest: String?
    /// The lineage graph's artifact id: `hekatonctl lineage artifact:ID`.
    public var lineageArtifact: Int64?
    /// Absent when the build failed before it knew its model (no production model yet).
    public var model: Int64?
    public var submission: Int64?
    public var datasetVersion: String?
    public var ociReference: String?
    public var ociManifestDigest: String?
    /// Where its files are, while kept.
    public var path: String?
    public var error: String?
    public var at: String

    public init(id: Int64, competition: String, job: Int64, state: String, digest: String?, model: Int64?, submission: Int64?,
                datasetVersion: String?, ociReference: String?, ociManifestDigest: String?, path: String?, error: String?, at: String) {
        self.id = id
        self.competition = competition
        self.job = job
        self.state = state
        self.digest = digest
        self.model = model
        self.submission = submission
        self.datasetVersion = datasetVersion
        self.ociReference = ociReference
        self.ociManifestDigest = ociManifestDigest
        self.path = path
        self.error = error
        self.at = at
    }
}

/// One competition on the dashboard.
public struct CompetitionDashboard: Codable, Sendable, Equatable {
    public var competition: String
    public var metric: String
    public var champion: LeaderboardEntry?
    public var production: PromotionInfo?
    public var lastRound: RoundInfo?
    public var lastArtifact: ArtifactInfo?

    public init(competition: String, metric: String, champion: LeaderboardEntry?, production: PromotionInfo?,
                lastRound: RoundInfo?, lastArtifact: ArtifactInfo?) {
        self.competition = competition
        self.metric = metric
        self.champion = champion
        self.production = production
        self.lastRound = lastRound
        self.lastArtifact = lastArtifact
    }
}

/// Something that needs a person.
public struct AttentionItem: Codable, Sendable, Equatable {
    /// ingestion-failed, retraining-failed, promotion-rejected, artifact-failed, dead-jobs
    public var kind: String
    public var subject: String
    public var message: String
    public var at: String?

    public init(kind: String, subject: String, message: String, at: String?) {
        self.kind = kind
        self.subject = subject
        self.message = message
        self.at = at
    }
}

public struct ScheduledRun: Codable, Sendable, Equatable {
    public var schedule: String
    public var nextFireAt: String
    public var timeZone: String

    public init(schedule: String, nextFireAt: String, timeZone: String) {
        self.schedule = schedule
        self.nextFireAt = nextFireAt
        self.timeZone = timeZone
    }
}

/// `GET /v1/competitions/{name}/history`: per dataset version, what production scored,
/// what was retrained and what was promoted.
public struct HistoryResponse: Codable, Sendable, Equatable {
    public var competition: String
    public var metric: String
    public var direction: String
    public var tolerance: Double
    public var rows: [HistoryRow]
    public var promotions: [PromotionInfo]

    public init(competition: String, metric: String, direction: String, tolerance: Double, rows: [HistoryRow], promotions: [PromotionInfo]) {
        self.competition = competition
        self.metric = metric
        self.direction = direction
        self.tolerance = tolerance
        self.rows = rows
        self.promotions = promotions
    }
}

public struct HistoryRow: Codable, Sendable, Equatable {
    public var datasetVersion: String
    public var registeredAt: String
    public var rounds: [RoundInfo]
    /// The production model once this version's rounds were decided.
    public var production: PromotionInfo?
    public var artifacts: [ArtifactInfo]

    public init(datasetVersion: String, registeredAt: String, rounds: [RoundInfo], production: PromotionInfo?, artifacts: [ArtifactInfo]) {
        self.datasetVersion = datasetVersion
        self.registeredAt = registeredAt
        self.rounds = rounds
        self.production = production
        self.artifacts = artifacts
    }
}
