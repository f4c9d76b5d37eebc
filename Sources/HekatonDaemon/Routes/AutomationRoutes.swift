import ControlAPI
import Foundation
import GRDB
import Lineage
import Pipeline
import Scheduler

extension Router {
    /// Production models and the automation loop's record: hosts promote and roll back;
    /// everyone may read a competition's history.
    mutating func addAutomationRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/competitions/{name}/promote", .host) { request in
            let body = try request.decode(PromoteRequest.self)
            let name = request.parameters["name"] ?? ""
            let actor = request.caller.user ?? "uid \(request.caller.uid)"
            let promotion = try await daemon.mapPipelineErrors("Not promoted") {
                try await daemon.database.write { db in
                    let promotion = try Promotions.promote(name, reference: body.model, actor: actor, uid: request.caller.uid,
                                                           reason: body.reason, now: daemon.queue.clock.now(), db)
                    return try AutomationMapping.promotion(promotion, db)
                }
            }
            daemon.logger.notice("production changed", metadata: ["competition": "\(name)", "model": "\(promotion.model)", "by": "\(actor)"])
            return .json(promotion, status: 201)
        }
        add("POST", "/v1/competitions/{name}/rollback", .host) { request in
            let body = request.body.isEmpty ? RollbackRequest() : try request.decode(RollbackRequest.self)
            let name = request.parameters["name"] ?? ""
            let actor = request.caller.user ?? "uid \(request.caller.uid)"
            let promotion = try await daemon.mapPipelineErrors("Not rolled back") {
                try await daemon.database.write { db in
                    let promotion = try Promotions.rollback(name, actor: actor, uid: request.caller.uid, reason: body.reason, now: daemon.queue.clock.now(), db)
                    return try AutomationMapping.promotion(promotion, db)
                }
            }
            daemon.logger.notice("production rolled back", metadata: ["competition": "\(name)", "model": "\(promotion.model)", "by": "\(actor)"])
            return .json(promotion, status: 201)
        }
        add("GET", "/v1/competitions/{name}/history", .host) { request in
            let version = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            return .json(try await daemon.database.read { db in try AutomationMapping.history(version, stateDirectory: daemon.stateDirectory, db) })
        }
    }
}

extension DaemonContext {
    func mapPipelineErrors<T>(_ title: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PipelineError {
            let status = switch error.code {
            case .unknownCompetition: 404
            case .conflict: 409
            case .forbidden: 403
            default: 400
            }
            throw Problem(title: title, status: status, detail: error.message)
        }
    }
}

/// Pipeline records as the API shows them.
enum AutomationMapping {
    static func promotion(_ p: Promotion, _ db: Database) throws -> PromotionInfo {
        let digest = try Model.fetchOne(db, key: p.modelID)?.digest.description
        let participant = try Submission.fetchOne(db, key: p.submissionID)?.participant
        return PromotionInfo(id: p.id!, competition: p.competition, model: p.modelID, modelDigest: digest, submission: p.submissionID,
                             participant: participant, kind: p.kind.rawValue, actor: p.actor, reason: p.reason, score: p.score,
                             round: p.roundID, at: RFC3339.string(p.at))
    }

    static func versionTag(_ id: Int64?, _ db: Database) throws -> String? {
        guard let id, let version = try DatasetVersion.fetchOne(db, key: id) else { return nil }
        let name = try Dataset.fetchOne(db, key: version.datasetID)?.name ?? "?"
        return "\(name)@\(version.tag)"
    }

    static func round(_ r: RetrainRound, _ db: Database) throws -> RoundInfo {
        let members = try Submission.filter(sql: "round_id = ?", arguments: [r.id!]).order(sql: "id").fetchAll(db).map {
            RoundMemberInfo(submission: $0.id!, kind: $0.kind.rawValue, source: $0.sourceSubmissionID, state: $0.state.rawValue,
                            score: $0.score, model: $0.modelID, error: $0.error)
        }
        return RoundInfo(id: r.id!, competition: r.competition, trigger: r.trigger.rawValue,
                         datasetVersion: try versionTag(r.datasetVersionID, db) ?? "\(r.datasetVersionID)", state: r.state.rawValue,
                         decision: r.decision, productionModel: r.productionModelID, productionScore: r.productionScore,
                         bestModel: r.bestModelID, bestScore: r.bestScore, members: members,
                         createdAt: RFC3339.string(r.createdAt), decidedAt: r.decidedAt.map { RFC3339.string($0) })
    }

    static func ingestion(_ i: Ingestion, _ db: Database) throws -> IngestionInfo {
        IngestionInfo(id: i.id!, dataset: i.dataset, competition: i.competition, job: i.jobID, outcome: i.outcome.rawValue,
                      datasetVersion: try versionTag(i.datasetVersionID, db), files: i.files, bytes: i.bytes, error: i.error,
                      logicalTime: i.logicalTime.map { RFC3339.string($0, fractionalSeconds: false) }, at: RFC3339.string(i.at))
    }

    static func artifact(_ a: ArtifactBuild, stateDirectory: String, _ db: Database) throws -> ArtifactInfo {
        let path = a.state == .succeeded ? ArtifactStore(stateDirectory: stateDirectory).directory(a.competition, job: a.jobID) : nil
        var info = ArtifactInfo(id: a.id!, competition: a.competition, job: a.jobID, state: a.state.rawValue, digest: a.digest,
                            model: a.modelID == 0 ? nil : a.modelID, submission: a.submissionID == 0 ? nil : a.submissionID,
                            datasetVersion: try versionTag(a.datasetVersionID, db),
                            ociReference: a.ociReference, ociManifestDigest: a.ociManifestDigest, path: path, error: a.error,
                            at: RFC3339.string(a.at))
        info.lineageArtifact = a.lineageArtifactID
        return info
    }

    static func history(_ version: CompetitionVersion, stateDirectory: String, _ db: Database) throws -> HistoryResponse {
        let manifest = version.manifest
        let name = version.competition
        let rounds = try RetrainRound.filter(sql: "competition = ?", arguments: [name]).order(sql: "id").fetchAll(db)
        let artifacts = try ArtifactBuild.filter(sql: "competition = ?", arguments: [name]).order(sql: "id").fetchAll(db)
        let promotions = try Promotion.filter(sql: "competition = ?", arguments: [name]).order(sql: "id").fetchAll(db)
        var rows: [HistoryRow] = []
        let versions = try DatasetVersion.versions(of: manifest.dataset.name, db)
        for (index, dataset) in versions.enumerated() {
            let next = index + 1 < versions.count ? versions[index + 1].createdAt : nil
            let mine = rounds.filter { $0.datasetVersionID == dataset.id }
            // Production as it stood before the next version arrived.
            let cutoff = next ?? .distantFuture
            let production = try promotions.last { $0.at < cutoff }.map { try promotion($0, db) }
            rows.append(HistoryRow(datasetVersion: dataset.tag, registeredAt: RFC3339.string(dataset.createdAt),
                                   rounds: try mine.map { try round($0, db) }, production: production,
                                   artifacts: try artifacts.filter { $0.datasetVersionID == dataset.id }.map {
                                       try artifact($0, stateDirectory: stateDirectory, db)
                                   }))
        }
        return HistoryResponse(competition: name, metric: manifest.metric.name, direction: manifest.metric.direction.rawValue,
                               tolerance: manifest.promotion.tolerance, rows: rows,
                               promotions: try promotions.map { try promotion($0, db) })
    }

    /// The dashboard's automation part of `GET /v1/status`.
    static func dashboard(into status: inout StatusResponse, stateDirectory: String, now: Date, _ db: Database) throws {
        guard try db.tableExists("pipeline_round") else { return }
        status.nextRuns = try Schedule.filter(sql: "NOT suspended AND next_fire_at IS NOT NULL").order(sql: "next_fire_at").limit(5)
            .fetchAll(db).map { ScheduledRun(schedule: $0.name, nextFireAt: RFC3339.string($0.nextFireAt!, fractionalSeconds: false), timeZone: $0.timeZone) }
        let latestIngestions = try Ingestion.fetchAll(db, sql: """
            SELECT * FROM pipeline_ingestion WHERE id IN (SELECT MAX(id) FROM pipeline_ingestion GROUP BY dataset) ORDER BY dataset
            """)
        status.ingestions = try latestIngestions.map { try ingestion($0, db) }
        for failed in latestIngestions where failed.outcome == .failed {
            status.attention.append(AttentionItem(kind: "ingestion-failed", subject: failed.dataset,
                                                  message: "the last ingestion of '\(failed.dataset)' failed: \(failed.error ?? "?") (job \(failed.jobID))",
                                                  at: RFC3339.string(failed.at)))
        }
        for version in try CompetitionVersion.latestOfEach(db) {
            let name = version.competition
            let manifest = version.manifest
            let champion = try Rescores.champions(version, db).first.map(LeaderboardEntry.init)
            let lastRound = try RetrainRound.filter(sql: "competition = ?", arguments: [name]).order(sql: "id DESC").fetchOne(db)
            let lastArtifact = try ArtifactBuild.filter(sql: "competition = ?", arguments: [name]).order(sql: "id DESC").fetchOne(db)
            status.competitions.append(CompetitionDashboard(
                competition: name, metric: manifest.metric.name, champion: champion,
                production: try Promotion.current(name, db).map { try promotion($0, db) },
                lastRound: try lastRound.map { try round($0, db) },
                lastArtifact: try lastArtifact.map { try artifact($0, stateDirectory: stateDirectory, db) }))
            if let lastRound, lastRound.state == .failed || lastRound.state == .kept {
                status.attention.append(AttentionItem(
                    kind: lastRound.state == .failed ? "retraining-failed" : "promotion-rejected", subject: name,
                    message: "round \(lastRound.id!) on \(try versionTag(lastRound.datasetVersionID, db) ?? "?"): \(lastRound.decision ?? "")",
                    at: lastRound.decidedAt.map { RFC3339.string($0) }))
            }
            if let lastArtifact, lastArtifact.state == .failed {
                let latest = try ArtifactBuild.filter(sql: "competition = ? AND state = 'succeeded'", arguments: [name]).order(sql: "id DESC").fetchOne(db)
                status.attention.append(AttentionItem(
                    kind: "artifact-failed", subject: name,
                    message: "the last artifact build (job \(lastArtifact.jobID)) failed: \(lastArtifact.error ?? "?"); " +
                        (latest.map { "the latest stays build \($0.id!) of job \($0.jobID)" } ?? "there is no earlier artifact"),
                    at: RFC3339.string(lastArtifact.at)))
            }
        }
        let dead = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state = 'dead'") ?? 0
        if dead > 0 {
            status.attention.append(AttentionItem(kind: "dead-jobs", subject: "queue",
                                                  message: "\(dead) dead job(s): `hekatonctl job list --state dead`, then `hekatonctl job retry ID`", at: nil))
        }
    }
}
