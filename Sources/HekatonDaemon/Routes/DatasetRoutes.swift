import ControlAPI
import Execution
import Foundation
import GRDB
import Lineage
import Pipeline

extension Router {
    /// Datasets and their versions; registering data is for hosts.
    mutating func addDatasetRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/datasets/{name}/versions", .host) { request in
            let name = request.parameters["name"] ?? ""
            // A directory the daemon reads where it lies, or one sent over the socket as a tar
            // stream (hekatonctl dataset register --upload), unpacked here first.
            let body: DatasetRegisterRequest
            let source: String?
            let unpacked: String?
            if let upload = request.bodyFile {
                body = DatasetRegisterRequest(path: try await DatasetRegistrar.unpack(upload, daemon: daemon), tag: request.query["tag"])
                source = "uploaded by \(request.caller.user ?? "uid \(request.caller.uid)")"
                unpacked = body.path
            } else {
                body = try request.decode(DatasetRegisterRequest.self)
                (source, unpacked) = (nil, nil)
            }
            do {
                try DatasetRegistrar.check(name: name, tag: body.tag, path: body.path)
            } catch {
                if let unpacked { try? FileManager.default.removeItem(atPath: unpacked) }
                throw error
            }
            // Progress lines while the data is hashed, then the result: one JSON object a line.
            // The registration goes on when the client leaves (as a registration without
            // progress would), so it is not tied to the stream's consumer.
            let stream = AsyncStream<[UInt8]> { continuation in
                Task {
                    let event: RegistrationEvent
                    do {
                        let version = try await DatasetRegistrar(daemon: daemon).register(name: name, tag: body.tag, path: body.path,
                                                                                          source: source) { progress in
                            continuation.yield(Self.line(RegistrationEvent(progress: progress)))
                        }
                        event = RegistrationEvent(result: version)
                    } catch {
                        let problem = DatasetRegistrar.problem(error)
                        if problem.status >= 500 {
                            daemon.logger.error("registration failed", metadata: ["dataset": "\(name)", "error": "\(error)", "detail": "\(problem.detail ?? "")"])
                        }
                        event = RegistrationEvent(problem: problem)
                    }
                    if let unpacked { try? await BlockingWork.run { try FileManager.default.removeItem(atPath: unpacked) } }
                    continuation.yield(Self.line(event))
                    continuation.finish()
                }
            }
            return APIResponse(status: 200, contentType: "application/x-ndjson", body: .stream(stream))
        }
        add("GET", "/v1/datasets", .anyone) { request in
            let list = try await daemon.database.read { db in
                try Dataset.all(db).map { dataset in
                    let versions = try DatasetVersion.versions(of: dataset.name, db)
                    return DatasetSummary(name: dataset.name, versions: versions.count,
                                          latest: versions.last.map { DatasetRegistrar.info($0, dataset: dataset.name, for: request.caller) })
                }
            }
            return .json(DatasetList(datasets: list))
        }
        add("GET", "/v1/datasets/{name}", .anyone) { request in
            let name = request.parameters["name"] ?? ""
            let tag = request.query["tag"]
            let versions = try await daemon.database.read { db -> [DatasetVersion] in
                if let tag { return try DatasetVersion.find(dataset: name, tag: tag, db).map { [$0] } ?? [] }
                return try DatasetVersion.versions(of: name, db)
            }
            guard !versions.isEmpty else {
                throw Problem(title: "No such dataset", status: 404,
                              detail: tag == nil ? "no dataset named '\(name)'; `hekatonctl dataset list` shows them"
                                                 : "dataset '\(name)' has no version tagged '\(tag!)'")
            }
            return .json(DatasetDetail(name: name, versions: versions.map { DatasetRegistrar.info($0, dataset: name, for: request.caller) }))
        }
        add("GET", "/v1/lineage", .owner) { request in
            guard let text = request.query["ref"] else {
                throw Problem(title: "Missing ref", status: 400, detail: "give ref=dataset:NAME@TAG, model:DIGEST-PREFIX, artifact:ID or run:ID")
            }
            let direction = request.query["direction"] ?? "upstream"
            guard direction == "upstream" || direction == "downstream" else {
                throw Problem(title: "Invalid direction", status: 400, detail: "direction is upstream or downstream")
            }
            let formatName = request.query["format"] ?? "tree"
            guard let format = LineageExportFormat(rawValue: formatName) else {
                throw Problem(title: "Invalid format", status: 400,
                              detail: "format is one of \(LineageExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let text_ = try await daemon.database.read { db -> String in
                let node: LineageNode
                do {
                    node = try LineageReference(parsing: text).resolve(db)
                } catch let error as LineageError {
                    throw Problem(title: "Unknown reference", status: error.code == .notFound ? 404 : 400, detail: error.message)
                }
                // A participant may trace their own models back to what made them; everything
                // else in the graph (other participants' work, the host's runs) is not theirs.
                if !request.caller.isAdmin {
                    let mine: Bool
                    if case .model(let id) = node, direction == "upstream" {
                        mine = try Submission.filter(sql: "model_id = ? AND participant_uid = ?", arguments: [id, request.caller.uid])
                            .fetchCount(db) > 0
                    } else {
                        mine = false
                    }
                    guard mine else {
                        throw Problem(title: "Unknown reference", status: 404,
                                      detail: "\(text.prefix(200)) is not one of your models; participants may trace their own models upstream (model:DIGEST-PREFIX)")
                    }
                }
                let graph = direction == "upstream" ? try LineageGraph.upstream(of: node, db) : try LineageGraph.downstream(of: node, db)
                return try graph.render(format, openLineage: OpenLineageOptions(producer: "https://hekaton.local/hekatond/\(HekatonVersion.current)"))
            }
            let type = switch format {
            case .json: "application/json"
            case .openlineage: "application/x-ndjson"
            case .dot: "text/vnd.graphviz"
            default: "text/plain; charset=utf-8"
            }
            return .text(text_, contentType: type)
        }
        add("POST", "/v1/fsck", .host) { _ in
            .json(try await daemon.checkBlobStore())
        }
        add("POST", "/v1/backup", .host) { request in
            let body = try request.decode(BackupRequest.self)
            return .json(try await daemon.backup(to: body.destination))
        }
        add("POST", "/v1/gc", .host) { request in
            let dryRun = request.query["dryRun"] == "true"
            let grace = try request.doubleQuery("graceSeconds", default: 3600, in: 0...(3650 * 86400))
            return .json(try await daemon.collectGarbage(gracePeriod: .seconds(grace), dryRun: dryRun))
        }
    }

    static func line(_ event: RegistrationEvent) -> [UInt8] {
        ((try? APIResponse.encoder.encode(event)).map(Array.init) ?? []) + [UInt8(ascii: "\n")]
    }
}

/// Snapshots data into the blob store, then records the version in one transaction: a crash
/// in between leaves only unreferenced blobs, which `gc` removes.
struct DatasetRegistrar {
    let daemon: DaemonContext

    static func check(name: String, tag: String?, path: String) throws {
        do {
            try LineageName.validate(name, as: .datasetName)
            if let tag { try LineageName.validate(tag, as: .tag) }
        } catch let error as LineageError {
            throw Problem(title: "Invalid name", status: 400, detail: error.message)
        }
        guard path.hasPrefix("/") else {
            throw Problem(title: "Invalid path", status: 400, detail: "'\(path)' must be absolute; hekatonctl sends absolute paths")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw Problem(title: "No such path", status: 400, detail: ServiceView(environment: ProcessInfo.processInfo.environment).missing(path))
        }
    }

    /// Unpacks an uploaded tar stream into a fresh directory under the state directory, refusing
    /// what a hostile archive could use to write elsewhere.
    static func unpack(_ upload: String, daemon: DaemonContext) async throws -> String {
        let scratch = daemon.stateDirectory + "/tmp/dataset-\(UUID().uuidString)"
        do {
            try await BlockingWork.run {
                try BundleArchive.extract(file: upload, into: scratch, maxBytes: .max, maxEntries: maxUploadEntries)
            }
        } catch let error as PipelineError {
            try? FileManager.default.removeItem(atPath: scratch)
            throw Problem(title: "Upload refused", status: error.code == .bundleTooLarge ? 413 : 400, detail: error.message)
        }
        return scratch
    }

    static let maxUploadEntries = 1_000_000

    /// Hashes the data on the blocking pool, then records it in one async transaction.
    func register(name: String, tag: String?, path: String, source: String? = nil,
                  progress: @escaping @Sendable (ProgressInfo) -> Void) async throws -> DatasetVersionInfo {
        let snapshot = TreeSnapshot(store: daemon.blobs)
        let report = try await BlockingWork.run {
            try snapshot.capture(path) { p in
                progress(ProgressInfo(bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, filesDone: p.filesDone, filesTotal: p.filesTotal))
            }
        }
        let now = daemon.queue.clock.now()
        let daemon = daemon
        let registration = try await daemon.database.write { db -> DatasetRegistration in
            let registration = try DatasetVersion.register(dataset: name, tag: tag, manifest: report.manifest, source: source ?? path, at: now, db)
            if case .created(let version) = registration {
                var run = try Run.start(.ingest, jobID: nil, at: now, db)
                try run.recordOutput(version.node, db)
                try run.finish(.succeeded, at: now, db)
                // A new version retrains the champions of the competitions that use it.
                if let intake = daemon.intake {
                    try RetrainRounds(queue: intake.queue, layout: intake.layout, blobs: intake.blobs)
                        .startForNewVersion(version, datasetName: name, trigger: .registration, now: now, db)
                }
            }
            return registration
        }
        daemon.workers?.wake()
        var info = Self.info(registration.version, dataset: name)
        if case .created = registration { info.created = true } else { info.created = false }
        return info
    }

    static func info(_ version: DatasetVersion, dataset: String) -> DatasetVersionInfo {
        DatasetVersionInfo(dataset: dataset, tag: version.tag, rootDigest: version.rootDigest.description, size: version.size,
                           fileCount: version.fileCount, source: version.source, createdAt: RFC3339.string(version.createdAt),
                           dataPrunedAt: version.dataPrunedAt.map { RFC3339.string($0) })
    }

    /// As `caller` may see it: where the host keeps the data is the host's business.
    static func info(_ version: DatasetVersion, dataset: String, for caller: Caller) -> DatasetVersionInfo {
        var info = info(version, dataset: dataset)
        if !caller.isAdmin { info.source = nil }
        return info
    }

    static func problem(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        if let error = error as? LineageError {
            let status = error.code == .conflict ? 409 : 400
            return Problem(title: "Registration refused", status: status, detail: error.message)
        }
        return InternalProblem.from(error, doing: "the registration").problem
    }
}
