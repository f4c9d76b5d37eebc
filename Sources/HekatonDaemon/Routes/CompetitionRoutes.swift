import ControlAPI
import Foundation
import GRDB
import Lineage
import Pipeline
import SubmissionBundle
import Execution

extension Router {
    /// Competitions: hosts publish; everyone who reaches the socket may look.
    mutating func addCompetitionRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/competitions", .host) { request in
            let body = try request.decode(CompetitionPublishRequest.self)
            guard body.path.hasPrefix("/") else {
                throw Problem(title: "Invalid path", status: 400, detail: "'\(body.path)' must be absolute")
            }
            guard FileManager.default.fileExists(atPath: body.path) else {
                throw Problem(title: "No such path", status: 400, detail: ServiceView(environment: ProcessInfo.processInfo.environment).missing(body.path))
            }
            let catalog = CompetitionCatalog(database: daemon.database, blobs: daemon.blobs)
            let publication: CompetitionCatalog.Publication
            do {
                publication = try await BlockingWork.run { try catalog.publish(directory: body.path, tag: body.tag, publisher: request.caller.uid,
                                                                                   userID: CallerIdentity.userID(named:)) }
            } catch let error as PipelineError {
                throw Problem(title: "Not published", status: error.code == .conflict ? 409 : 400, detail: error.message)
            } catch let error as LineageError {
                throw Problem(title: "Not published", status: 400, detail: error.message)
            }
            switch publication {
            case .created(let version):
                daemon.scheduleRunner?.wake()
                daemon.webhooks?.refresh()
                var info = try await daemon.competitionInfo(version)
                info.created = true
                return .json(info, status: 201)
            case .unchanged(let version):
                var info = try await daemon.competitionInfo(version)
                info.created = false
                return .json(info)
            }
        }
        add("GET", "/v1/competitions", .anyone) { _ in
            let infos = try await daemon.database.read { db in
                try CompetitionVersion.latestOfEach(db).map {
                    try CompetitionInfo($0, versions: CompetitionVersion.all(of: $0.competition, db).count,
                                        closure: CompetitionClosure.find($0.competition, db), now: Date())
                }
            }
            return .json(CompetitionList(competitions: infos))
        }
        add("GET", "/v1/competitions/{name}/template", .anyone) { request in
            let version = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            guard let template = version.manifest.submission.template else {
                throw Problem(title: "No template", status: 404, detail: "competition '\(version.competition)' publishes no template")
            }
            // Materializing checks every file against its digest: a damaged blob is never served.
            let bytes: [UInt8]
            do {
                bytes = try await BlockingWork.run { () throws -> [UInt8] in
                    let scratch = daemon.stateDirectory + "/tmp/template-\(UUID().uuidString)"
                    defer { try? PipelineExecutor.removeTree(scratch) }
                    let snapshot = TreeSnapshot(store: daemon.blobs)
                    let manifest = try snapshot.manifest(stored: try Digest(parsing: version.rootDigest))
                    try snapshot.materialize(try PipelineExecutor.subtree(manifest, template), into: scratch)
                    var bytes: [UInt8] = []
                    let listing = try BundleScanner.scan(directory: scratch, maxBytes: 64 << 20)
                    try TarWriter.write(listing) { (chunk: ArraySlice<UInt8>) throws(BundleError) in bytes += chunk }
                    return bytes
                }
            } catch let error as LineageError where error.isStorageDamage {
                throw Problem.storage(error)
            }
            return APIResponse(status: 200, contentType: "application/x-tar", body: .bytes(bytes))
        }
        add("GET", "/v1/competitions/{name}", .anyone) { request in
            .json(try await daemon.competitionInfo(try await daemon.latestCompetition(request.parameters["name"] ?? "")))
        }
        // Closing stops new submissions at once; what is queued or running still finishes.
        add("POST", "/v1/competitions/{name}/close", .host) { request in
            let version = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let (before, closure) = try await daemon.database.write { db in
                let before = try CompetitionClosure.phase(of: version, now: Date(), db)
                _ = try CompetitionClosure.close(version, by: request.caller.uid, now: Date(), db)
                return (before, try CompetitionClosure.find(version.competition, db))
            }
            let count = try await daemon.database.read { db in try CompetitionVersion.all(of: version.competition, db).count }
            var info = CompetitionInfo(version, versions: count, closure: closure, now: Date())
            if case .closed = before { info.closedNow = false } else { info.closedNow = true }
            return .json(info)
        }
    }
}

extension DaemonContext {
    func latestCompetition(_ name: String) async throws -> CompetitionVersion {
        guard let version = try await database.read({ db in try CompetitionVersion.latest(of: name, db) }) else {
            throw Problem(title: "No such competition", status: 404,
                          detail: "no competition named '\(name)'; `hekatonctl competition list` shows them")
        }
        return version
    }

    func competitionInfo(_ version: CompetitionVersion) async throws -> CompetitionInfo {
        let (count, closure) = try await database.read { db in
            (try CompetitionVersion.all(of: version.competition, db).count, try CompetitionClosure.find(version.competition, db))
        }
        return CompetitionInfo(version, versions: count, closure: closure, now: Date())
    }
}

extension CompetitionInfo {
    init(_ version: CompetitionVersion, versions count: Int, closure: CompetitionClosure?, now: Date) {
        let manifest = version.manifest
        self.init(name: version.competition, description: manifest.description, tag: version.tag,
                  rootDigest: version.rootDigest, metric: manifest.metric.name, direction: manifest.metric.direction.rawValue,
                  dataset: manifest.dataset.name, maxBundleBytes: manifest.submission.maxBundleBytes,
                  perParticipantPerDay: manifest.submission.perParticipantPerDay,
                  publishedAt: RFC3339.string(version.createdAt), versions: count)
        phase = CompetitionPhase(manifest, closedByHand: closure?.closedAt, now: now).name
        let phases = manifest.phases
        opensAt = phases?.opensAt.map { RFC3339.string($0) }
        closesAt = phases?.closesAt.map { RFC3339.string($0) }
        closedAt = closure.map { RFC3339.string($0.closedAt) }
        opensLocal = phases.flatMap { p in p.opensAt.map { p.local($0) } }
        closesLocal = phases.flatMap { p in p.closesAt.map { p.local($0) } }
    }
}
