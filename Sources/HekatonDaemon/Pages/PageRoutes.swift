import ControlAPI
import Foundation
import GRDB
import Mustache
import Pipeline
import Scheduler
import Execution

extension Router {
    /// Pages under `/ui/`: HTML made on the server from the API's own answers, asked as the
    /// caller (`api` is the router without the pages), so a page shows exactly what the API
    /// would show its reader, and refuses what the API refuses them.
    mutating func addPageRoutes(_ daemon: DaemonContext, api: Router) {
        let pages = Pages(daemon: daemon, api: api)
        add("GET", "/ui/", .anyone) { request in
            await pages.render(request) { try await pages.competitions(request) }
        }
        add("GET", "/ui/competitions/{name}", .anyone) { request in
            await pages.render(request) { try await pages.competition(request) }
        }
        add("GET", "/ui/submissions", .owner) { request in
            await pages.render(request) { try await pages.submissions(request) }
        }
        add("GET", "/ui/submissions/{id}", .owner) { request in
            await pages.render(request) { try await pages.submission(request) }
        }
        // The running stage's log as Server-Sent Events, one event a line, from byte `from` on.
        add("GET", "/ui/submissions/{id}/log", .owner) { request in
            try await pages.followLog(request)
        }
        add("GET", "/ui/competitions/{name}/history", .host) { request in
            await pages.render(request) { try await pages.history(request) }
        }
        add("GET", "/ui/status", .host) { request in
            await pages.render(request) { try await pages.dashboard(request) }
        }
        add("GET", "/ui/competitions/{name}/artifacts/{id}", .host) { request in
            await pages.render(request) { try await pages.artifact(request) }
        }
        // One file of a kept build's output (its batch recommendations), as a download.
        add("GET", "/ui/competitions/{name}/artifacts/{id}/download", .host) { request in
            try await pages.download(request)
        }
    }
}

/// A page: its title and its body's template with the values it shows.
struct Page {
    var title: String
    var template: String
    var values: Any
}

struct Pages: Sendable {
    let daemon: DaemonContext
    let api: Router

    /// The most dataset versions a competition's page lists.
    static let versionLimit = 50
    /// The most bytes of a log a submission's page shows before following it.
    static let tailBytes = 16 << 10

    /// Asks the API as the page's caller; its refusal is the page's.
    func get<Value: Decodable>(_ path: String, query: [String: String] = [:], as type: Value.Type, _ request: APIRequest) async throws -> Value {
        let response = await api.respond(to: APIRequest(method: "GET", path: path, query: query, headers: [], body: .bytes([]), caller: request.caller))
        guard case .bytes(let bytes) = response.body else {
            throw Problem(title: "Internal error", status: 500, detail: "GET \(path) answered a stream where a page expected JSON")
        }
        guard response.status == 200 else {
            throw (try? JSONDecoder().decode(Problem.self, from: Data(bytes)))
                ?? Problem(title: "Not shown", status: response.status, detail: "GET \(path) answered \(response.status)")
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw Problem(title: "Internal error", status: 500, detail: "GET \(path) answered JSON the page cannot read: \(error)")
        }
    }

    /// Renders a page in the layout; a refusal becomes an HTML page with the API's status and words.
    func render(_ request: APIRequest, _ make: () async throws -> Page) async -> APIResponse {
        let library: MustacheLibrary
        switch PageTemplates.library {
        case .success(let parsed): library = parsed
        case .failure(let error): return .text("the page templates do not parse: \(error)", status: 500)
        }
        var page: Page
        var status = 200
        do {
            page = try await make()
        } catch let problem as Problem {
            status = problem.status
            page = Page(title: problem.title, template: "problem", values: ["title": problem.title, "detail": problem.detail ?? ""])
        } catch {
            let (problem, incident) = InternalProblem.from(error, doing: "GET \(request.path)")
            daemon.logger.error("page failed", metadata: ["incident": "\(incident)", "path": "\(request.path.prefix(200))", "error": "\(error)"])
            status = problem.status
            page = Page(title: problem.title, template: "problem", values: ["title": problem.title, "detail": problem.detail ?? ""])
        }
        let html = Self.html(page, for: request.caller, library)
        var response = APIResponse.text(html, status: status, contentType: "text/html; charset=utf-8")
        response.headers.append(("Cache-Control", "no-store"))
        response.headers.append(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"))
        response.headers.append(("X-Content-Type-Options", "nosniff"))
        return response
    }

    /// A page in the layout, as HTML.
    static func html(_ page: Page, for caller: Caller, _ library: MustacheLibrary) -> String {
        let body = library.render(page.values, withTemplate: page.template) ?? ""
        return library.render(Layout(title: page.title, body: body, isHost: caller.isAdmin,
                                     user: caller.user ?? "uid \(caller.uid)", version: HekatonVersion.current),
                              withTemplate: "layout") ?? ""
    }

    struct Layout {
        var title: String
        var body: String
        var isHost: Bool
        var user: String
        var version: String
    }

    // MARK: The competitions

    func competitions(_ request: APIRequest) async throws -> Page {
        let list = try await get("/v1/competitions", as: CompetitionList.self, request)
        let rows = list.competitions.map { info in
            ["name": info.name, "link": Self.pathSegment(info.name), "phase": info.phase ?? "", "metric": info.metric,
             "direction": info.direction, "versions": "\(info.versions)", "closes": info.closesLocal ?? info.closesAt ?? "",
             "description": info.description]
        }
        return Page(title: "Competitions", template: "competitions", values: ["rows": rows, "empty": rows.isEmpty] as [String: Any])
    }

    struct BoardView {
        var id: String
        var title: String
        var metric: String
        var direction: String
        var empty: Bool
        var entries: [[String: Any]]
    }

    func competition(_ request: APIRequest) async throws -> Page {
        let name = request.parameters["name"] ?? ""
        let base = "/v1/competitions/" + Self.pathSegment(name)
        let info = try await get(base, as: CompetitionInfo.self, request)
        var boards: [BoardView] = []
        let first = try await get(base + "/leaderboard", as: LeaderboardResponse.self, request)
        boards.append(Self.board(first, caller: request.caller))
        var hiddenPrivate = false
        if first.board == "public" {
            // The private board: the API shows it to hosts, and to everyone once closed.
            do {
                boards.append(Self.board(try await get(base + "/leaderboard", query: ["board": "private"], as: LeaderboardResponse.self, request), caller: request.caller))
            } catch let problem as Problem where problem.status == 403 {
                hiddenPrivate = true
            }
        }
        let detail = try? await get("/v1/datasets/" + Self.pathSegment(info.dataset), as: DatasetDetail.self, request)
        let versions = (detail?.versions ?? []).suffix(Self.versionLimit).reversed().map { version in
            ["tag": version.tag, "createdAt": version.createdAt, "fileCount": "\(version.fileCount)", "size": "\(version.size)"]
        }
        let values: [String: Any] = [
            "name": info.name, "description": info.description, "phase": info.phase ?? "", "metric": info.metric,
            "direction": info.direction, "dataset": info.dataset, "perDay": "\(info.perParticipantPerDay)",
            "maxBundle": "\(info.maxBundleBytes)", "opens": info.opensLocal ?? info.opensAt ?? "", "closes": info.closesLocal ?? info.closesAt ?? "",
            "published": info.publishedAt, "tag": info.tag, "versions": "\(info.versions)", "boards": boards,
            "hiddenPrivate": hiddenPrivate, "isHost": request.caller.isAdmin, "link": Self.pathSegment(info.name), "datasetVersions": Array(versions), "versionLimit": "\(Self.versionLimit)",
        ]
        return Page(title: info.name, template: "competition", values: values)
    }

    static func board(_ response: LeaderboardResponse, caller: Caller) -> BoardView {
        let id = response.board ?? "overall"
        let title = switch response.board {
        case "public": "Public leaderboard"
        case "private": "Private leaderboard"
        default: "Leaderboard"
        }
        let entries: [[String: Any]] = response.entries.map { entry in
            var row: [String: Any] = ["rank": "\(entry.rank)", "participant": entry.participant, "tag": entry.tag ?? "#\(entry.submission)",
                                      "score": "\(entry.score)", "submission": "\(entry.submission)", "submittedAt": entry.submittedAt,
                                      "link": caller.isAdmin || entry.participant == caller.user]
            if let team = entry.team { row["team"] = team }
            return row
        }
        return BoardView(id: id, title: title, metric: response.metric, direction: response.direction, empty: entries.isEmpty, entries: entries)
    }

    // MARK: Submissions

    func submissions(_ request: APIRequest) async throws -> Page {
        let list = try await get("/v1/submissions", as: SubmissionList.self, request)
        let rows = list.submissions.map { info -> [String: Any] in
            var row: [String: Any] = ["id": "\(info.id)", "competition": info.competition, "participant": info.participant,
                                      "tag": info.tag ?? "", "state": info.state, "score": info.score.map { "\($0)" } ?? "",
                                      "submittedAt": info.submittedAt, "took": Self.took(from: info.submittedAt, to: info.finishedAt)]
            if let stage = info.stage { row["stage"] = stage }
            return row
        }
        return Page(title: request.caller.isAdmin ? "Submissions" : "My submissions", template: "submissions",
                    values: ["rows": rows, "empty": rows.isEmpty, "limit": "500",
                             "heading": request.caller.isAdmin ? "Submissions" : "My submissions"] as [String: Any])
    }

    func submission(_ request: APIRequest) async throws -> Page {
        let id = try request.intParameter("id")
        let info = try await get("/v1/submissions/\(id)", as: SubmissionInfo.self, request)
        // The API has shown the submission to its caller: its jobs are theirs to see too.
        let ids = info.jobs
        let jobs = try await daemon.database.read { db in
            try Job.filter(keys: Array(ids.values)).fetchAll(db)
        }
        let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        let stages: [[String: Any]] = Stage.allCases.compactMap { stage in
            guard let jobID = ids[stage.rawValue], let job = byID[jobID] else { return nil }
            return ["name": stage.rawValue, "state": job.state.rawValue, "started": job.startedAt.map { RFC3339.string($0) } ?? "",
                    "took": Self.duration(job), "attempt": "\(job.attempt)"]
        }
        var values: [String: Any] = [
            "id": "\(info.id)", "competition": info.competition, "competitionLink": Self.pathSegment(info.competition),
            "participant": info.participant, "state": info.state, "submittedAt": info.submittedAt, "bundleDigest": info.bundleDigest,
            "stages": stages,
        ]
        for (key, value) in [("tag", info.tag), ("stage", info.stage), ("score", info.score.map { "\($0)" }), ("error", info.error),
                             ("finishedAt", info.finishedAt), ("datasetVersion", info.datasetVersion), ("reproduction", info.reproduction),
                             ("modelDigest", info.modelDigest)] {
            if let value { values[key] = value }
        }
        // The log of the stage the submission is at (or ended at): its tail, then followed while it runs.
        let shownStage = info.stage.flatMap(Stage.init(rawValue:)) ?? (info.state == "scored" ? .score : nil)
        if let stage = shownStage, let jobID = ids[stage.rawValue], let job = byID[jobID] {
            let path = daemon.logPath(of: job)
            let (text, size) = try await BlockingWork.run { () -> (String, UInt64) in
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
                return (LogStream.tail(path: path, maxBytes: Self.tailBytes, endingAt: size), size)
            }
            let live = job.state == .running || job.state == .queued
            values["log"] = ["stage": stage.rawValue, "text": text, "live": live,
                             "followURL": "/ui/submissions/\(info.id)/log?stage=\(stage.rawValue)&from=\(size)"] as [String: Any]
        }
        if let digest = info.modelDigest, let svg = try await lineageSVG(model: digest, submission: info, request) {
            values["lineage"] = ["svg": svg]
        }
        return Page(title: "Submission \(info.id)", template: "submission", values: values)
    }

    /// The model's upstream lineage, as the API gives it to the caller in DOT, drawn by
    /// Graphviz; its dataset versions link to the competition's page, the rest to this
    /// submission's. Nil when there is none to draw or Graphviz is missing.
    func lineageSVG(model digest: String, submission info: SubmissionInfo, _ request: APIRequest) async throws -> String? {
        let prefix = String(digest.split(separator: ":").last ?? "").prefix(16)
        let competition = "/ui/competitions/\(Self.pathSegment(info.competition))#versions"
        let own = "/ui/submissions/\(info.id)#stages"
        return try await lineageSVG(ref: "model:\(prefix)", request) { node in node.hasPrefix("dataset_version#") ? competition : own }
    }

    /// A lineage graph as the API gives it to the caller in DOT, each node linked to the page
    /// `link` names for it (by its `kind#id`), drawn by Graphviz.
    func lineageSVG(ref: String, _ request: APIRequest, link: (String) -> String) async throws -> String? {
        let response = await api.respond(to: APIRequest(method: "GET", path: "/v1/lineage", query: ["ref": ref, "format": "dot"],
                                                        headers: [], body: .bytes([]), caller: request.caller))
        guard response.status == 200, case .bytes(let bytes) = response.body, bytes.count <= Self.maxDOTBytes else { return nil }
        let dot = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            // A node's line: `  "kind#id" [attributes];` gains the page it links to.
            guard line.hasPrefix("  \""), !line.contains("->"), let open = line.range(of: "\" [") else { return String(line) }
            let node = String(line[line.index(line.startIndex, offsetBy: 3)..<open.lowerBound])
            return String(line[..<open.lowerBound]) + "\" [URL=\"\(link(node))\", target=\"_top\", " + String(line[open.upperBound...])
        }.joined(separator: "\n")
        let scratch = daemon.stateDirectory + "/tmp"
        return try await BlockingWork.run { Self.graphviz(dot, scratch: scratch) }
    }

    /// The most bytes of DOT drawn: a larger graph is left out of the page.
    static let maxDOTBytes = 1 << 20

    /// `dot -Tsvg`, at most 10 seconds; the `<svg>` element alone, or nil.
    static func graphviz(_ dot: String, scratch: String) -> String? {
        let tool = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { return nil }
        let input = URL(fileURLWithPath: scratch).appendingPathComponent("lineage-\(UUID().uuidString).dot")
        guard (try? dot.write(to: input, atomically: false, encoding: .utf8)) != nil else { return nil }
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-Tsvg", input.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Timers.sleep(for: .seconds(10))
            kill(pid, SIGKILL)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationStatus == 0, let text = String(data: data, encoding: .utf8), let start = text.range(of: "<svg") else { return nil }
        return String(text[start.lowerBound...])
    }

    func followLog(_ request: APIRequest) async throws -> APIResponse {
        let submission = try await daemon.visibleSubmission(request)
        guard let name = request.query["stage"], let stage = Stage(rawValue: name) else {
            throw Problem(title: "Invalid stage", status: 400, detail: "stage='\(request.query["stage"]?.prefix(32) ?? "")' must be build, train, predict or score")
        }
        let from = try request.intQuery("from", default: 0, in: 0...(1 << 50))
        guard let jobID = daemon.job(of: submission, stage), let job = try await daemon.database.read({ db in try Job.fetchOne(db, key: jobID) }) else {
            throw Problem(title: "No log", status: 404, detail: "the \(stage.rawValue) stage of submission \(submission.id!) has no log")
        }
        return LogStream.events(path: daemon.logPath(of: job), from: UInt64(from)) { await daemon.jobHasEnded(jobID) }
    }

    // MARK: History

    func history(_ request: APIRequest) async throws -> Page {
        let name = request.parameters["name"] ?? ""
        return Self.historyPage(try await get("/v1/competitions/\(Self.pathSegment(name))/history", as: HistoryResponse.self, request))
    }

    static func historyPage(_ history: HistoryResponse) -> Page {
        let rounds: [[String: String]] = history.rows.reversed().flatMap { row in
            row.rounds.reversed().map { round in
                ["version": row.datasetVersion, "id": "\(round.id)", "state": round.state,
                 "production": round.productionScore.map { "\($0)" } ?? "", "best": round.bestScore.map { "\($0)" } ?? "",
                 "members": round.members.map { "#\($0.submission) \($0.kind) \($0.score.map { "\($0)" } ?? $0.state)" }.joined(separator: "; "),
                 "decision": round.decision ?? ""]
            }
        }
        let artifacts: [[String: String]] = history.rows.reversed().flatMap { row in
            row.artifacts.reversed().map { artifact in
                var shown = ["version": row.datasetVersion, "id": "\(artifact.id)", "state": artifact.state, "model": artifact.model.map { "model \($0)" } ?? "",
                             "link": "/ui/competitions/\(Self.pathSegment(history.competition))/artifacts/\(artifact.id)",
                             "digest": artifact.digest ?? "", "where": artifact.ociReference ?? artifact.path ?? ""]
                if let submission = artifact.submission { shown["submission"] = "\(submission)" }
                if let error = artifact.error { shown["error"] = error }
                return shown
            }
        }
        let promotions: [[String: String]] = history.promotions.reversed().map { promotion in
            ["at": promotion.at, "kind": promotion.kind, "model": "\(promotion.model)", "submission": "\(promotion.submission)",
             "score": promotion.score.map { "\($0)" } ?? "", "actor": promotion.actor, "reason": promotion.reason]
        }
        return Page(title: "History of \(history.competition)", template: "history",
                    values: ["competition": history.competition, "metric": history.metric, "direction": history.direction,
                             "chart": HistoryChart(history).svg(), "count": "\(history.rows.count)",
                             "rounds": rounds, "promotions": promotions, "artifacts": artifacts, "hasArtifacts": !artifacts.isEmpty] as [String: Any])
    }

    // MARK: An artifact build

    /// The most files of a build's output listed.
    static let artifactFileLimit = 500

    /// A build as the API's history gives it to the caller (hosts), with its lineage and its
    /// output's files to download while the build is kept on disk.
    func artifact(_ request: APIRequest) async throws -> Page {
        let name = request.parameters["name"] ?? ""
        let (info, _) = try await artifactInfo(request)
        var values: [String: Any] = [
            "competition": name, "competitionLink": Self.pathSegment(name), "id": "\(info.id)", "state": info.state,
            "job": "\(info.job)", "at": info.at, "datasetVersion": info.datasetVersion ?? "",
        ]
        // Only what the build has: an empty value would still open its section.
        if let digest = info.digest { values["digest"] = digest }
        if let oci = info.ociReference { values["oci"] = "\(oci) (\(info.ociManifestDigest ?? ""))" }
        if let error = info.error { values["error"] = error }
        if let submission = info.submission { values["submission"] = "\(submission)" }
        if let model = info.model { values["model"] = "model \(model)" }
        if let files = info.path.map({ $0 + "/files" }) {
            let listed = try await BlockingWork.run { Self.regularFiles(under: files, limit: Self.artifactFileLimit) }
            values["files"] = listed.map { file in
                ["path": file.path, "size": file.size < 1024 ? "\(file.size) bytes" : ByteCountFormatter.string(fromByteCount: file.size, countStyle: .binary),
                 "link": "/ui/competitions/\(Self.pathSegment(name))/artifacts/\(info.id)/download?file=\(Self.queryValue(file.path))"]
            }
            values["hasFiles"] = !listed.isEmpty
            values["kept"] = true
        }
        if let lineage = info.lineageArtifact {
            let competition = "/ui/competitions/\(Self.pathSegment(name))#versions"
            let submission = info.submission.map { "/ui/submissions/\($0)#stages" } ?? competition
            let own = "/ui/competitions/\(Self.pathSegment(name))/artifacts/\(info.id)"
            if let svg = try await lineageSVG(ref: "artifact:\(lineage)", request, link: { node in
                node.hasPrefix("dataset_version#") ? competition : node.hasPrefix("artifact#") ? own : submission
            }) {
                values["lineage"] = ["svg": svg]
            }
        }
        return Page(title: "Artifact build \(info.id) of \(name)", template: "artifact", values: values)
    }

    /// The build `{id}` of competition `{name}`, from the history the caller may read.
    func artifactInfo(_ request: APIRequest) async throws -> (ArtifactInfo, HistoryResponse) {
        let name = request.parameters["name"] ?? ""
        guard let id = request.parameters["id"].flatMap(Int64.init), id > 0 else {
            throw Problem(title: "Invalid build", status: 400, detail: "'\(request.parameters["id"]?.prefix(24) ?? "")' is not an artifact build's id")
        }
        let history = try await get("/v1/competitions/\(Self.pathSegment(name))/history", as: HistoryResponse.self, request)
        guard let info = history.rows.lazy.flatMap(\.artifacts).first(where: { $0.id == id }) else {
            throw Problem(title: "No such artifact build", status: 404, detail: "competition '\(name.prefix(64))' has no artifact build \(id)")
        }
        return (info, history)
    }

    /// A file of a kept build's output, streamed: `file` is a path inside its `files/`, every
    /// part of it a real directory or, last, a regular file (no link is followed out of it).
    func download(_ request: APIRequest) async throws -> APIResponse {
        let (info, _) = try await artifactInfo(request)
        guard let directory = info.path.map({ $0 + "/files" }) else {
            throw Problem(title: "Not on disk", status: 410, detail: "artifact build \(info.id) is \(info.state): its files are not kept (artifact.keep)")
        }
        let file = request.query["file"] ?? ""
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        guard !file.isEmpty, file.utf8.count <= 1024, !file.contains("\0"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw Problem(title: "Invalid file", status: 400, detail: "file='\(file.prefix(80))' must be a path inside the build's output, as its page lists them")
        }
        let path = directory + "/" + file
        try await BlockingWork.run { () throws in
            var current = directory
            var info = stat()
            for (index, part) in parts.enumerated() {
                current += "/" + part
                guard lstat(current, &info) == 0 else {
                    throw Problem(title: "No such file", status: 404, detail: "the build's output has no \(file.prefix(200))")
                }
                let kind = info.st_mode & S_IFMT
                guard index == parts.count - 1 ? kind == S_IFREG : kind == S_IFDIR else {
                    throw Problem(title: "Not a file", status: 404, detail: "\(file.prefix(200)) is not a regular file of the build's output")
                }
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Problem(title: "No such file", status: 404, detail: "the build's output has no \(file.prefix(200))")
        }
        // Read a piece at a time as the connection takes it: a large output is never held whole.
        let stream = AsyncStream<[UInt8]>(unfolding: {
            let piece = try? await BlockingWork.run { handle.readData(ofLength: 64 << 10) }
            guard let piece, !piece.isEmpty else {
                try? handle.close()
                return nil
            }
            return Array(piece)
        }, onCancel: { try? handle.close() })
        var response = APIResponse(contentType: "application/octet-stream", body: .stream(stream))
        let filename = String((parts.last ?? "file").filter { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }.prefix(200))
        response.headers.append(("Content-Disposition", "attachment; filename=\"\(filename.isEmpty ? "file" : filename)\""))
        return response
    }

    /// The regular files under `directory` (links not followed), by path, at most `limit`.
    static func regularFiles(under directory: String, limit: Int) -> [(path: String, size: Int64)] {
        var found: [(path: String, size: Int64)] = []
        var pending = [""]
        while let relative = pending.popLast(), found.count < limit {
            let here = relative.isEmpty ? directory : directory + "/" + relative
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: here)) ?? []).sorted()
            for name in names where found.count < limit {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(directory + "/" + child, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG: found.append((child, Int64(info.st_size)))
                case S_IFDIR: pending.insert(child, at: 0)
                default: continue
                }
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// A query value with what a URL's query cannot hold escaped.
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: The dashboard

    func dashboard(_ request: APIRequest) async throws -> Page {
        let status = try await get("/v1/status", as: StatusResponse.self, request)
        let attention = status.attention.map { ["kind": $0.kind, "subject": $0.subject, "message": $0.message, "at": $0.at ?? ""] }
        let competitions = status.competitions.map { dashboard -> [String: String] in
            ["name": dashboard.competition, "link": Self.pathSegment(dashboard.competition),
             "champion": dashboard.champion.map { "\($0.participant) \($0.score)" } ?? "none",
             "production": dashboard.production.map { "model \($0.model) (\($0.kind) \($0.at))" } ?? "none",
             "round": dashboard.lastRound.map { "\($0.datasetVersion): \($0.decision ?? $0.state)" } ?? "none"]
        }
        let jobs = status.jobs.sorted { $0.key < $1.key }.map { ["state": $0.key, "count": "\($0.value)"] }
        return Page(title: "Dashboard", template: "status",
                    values: ["attention": attention, "hasAttention": !attention.isEmpty, "competitions": competitions,
                             "jobs": jobs, "schedules": "\(status.schedules)", "startedAt": status.startedAt] as [String: Any])
    }

    // MARK: Helpers

    /// A name as one path segment: percent-encoded, so a '/' or '?' in it stays inside.
    static func pathSegment(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    static func duration(_ job: Job) -> String {
        if let wall = job.wallSeconds { return seconds(wall) }
        guard let started = job.startedAt else { return "" }
        return seconds((job.finishedAt ?? Date()).timeIntervalSince(started))
    }

    static func took(from start: String, to end: String?) -> String {
        guard let end, let from = RFC3339.parse(start), let to = RFC3339.parse(end) else { return "" }
        return seconds(to.timeIntervalSince(from))
    }

    static func seconds(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "" }
        if value < 60 { return String(format: "%.1f s", value) }
        if value < 3600 { return String(format: "%d min %02d s", Int(value) / 60, Int(value) % 60) }
        return String(format: "%d h %02d min", Int(value) / 3600, Int(value) % 3600 / 60)
    }
}
