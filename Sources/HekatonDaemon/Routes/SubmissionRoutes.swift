import ControlAPI
import Foundation
import GRDB
import Lineage
import Pipeline
import Scheduler
import Execution

extension Router {
    /// Submissions: anyone who reaches the socket may submit; participants see and cancel
    /// their own submissions and logs, and everyone's leaderboard entries.
    mutating func addSubmissionRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/competitions/{name}/submissions", .owner) { request in
            let name = request.parameters["name"] ?? ""
            let competition = try await daemon.latestCompetition(name)
            let limit = competition.manifest.submission.maxBundleBytes
            guard let upload = request.bodyFile else {
                throw Problem(title: "Missing request body", status: 400, detail: "send the bundle as a tar stream (hekatonctl submit does)")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: upload)[.size] as? Int64) ?? 0
            guard size <= limit + 1 << 20 else {
                throw Problem(title: "Bundle too large", status: 413,
                              detail: "the bundle is \(size) bytes; '\(name)' accepts up to \(limit); add large files to .hekatonignore")
            }
            guard let intake = daemon.intake else {
                throw Problem(title: "Pipeline unavailable", status: 503,
                              detail: "the daemon found no Python SDK (python/src); set python_sdk in its configuration")
            }
            try await daemon.checkDiskForSubmission()
            do {
                try await BlockingWork.run { try intake.checkOpen(competition: name) }
            } catch let error as PipelineError {
                throw Problem(title: "Submission refused", status: 409, detail: error.message)
            }
            let scratch = daemon.stateDirectory + "/tmp/upload-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let submission: Submission
            do {
                submission = try await BlockingWork.run {
                    try BundleArchive.extract(file: upload, into: scratch, maxBytes: limit)
                    return try intake.submit(competition: name, bundleDirectory: scratch, participantUID: request.caller.uid,
                                             participant: request.caller.user ?? "uid-\(request.caller.uid)", tag: request.query["tag"])
                }
            } catch let error as PipelineError {
                let status = switch error.code {
                case .rateLimited: 429
                case .unknownCompetition: 404
                case .bundleTooLarge: 413
                case .notOpen: 409
                default: 400
                }
                throw Problem(title: "Submission refused", status: status, detail: error.message)
            } catch let error as LineageError {
                throw Problem(title: "Submission refused", status: 400, detail: error.message)
            }
            daemon.workers?.wake()
            return .json(try await daemon.submissionInfo(submission), status: 201)
        }
        add("GET", "/v1/submissions", .owner) { request in
            let competition = request.query["competition"]
            let submissions = try await daemon.database.read { db -> [Submission] in
                var query = Submission.order(sql: "id DESC").limit(500)
                // The daemon's retrains and evaluations are listed on request (`?kind=all`).
                if request.query["kind"] != "all" { query = query.filter(sql: "kind = 'submission'") }
                if let competition { query = query.filter(sql: "competition = ?", arguments: [competition]) }
                if !request.caller.isAdmin { query = query.filter(sql: "participant_uid = ?", arguments: [request.caller.uid]) }
                return try query.fetchAll(db)
            }
            var infos: [SubmissionInfo] = []
            for submission in submissions { infos.append(try await daemon.submissionInfo(submission)) }
            return .json(SubmissionList(submissions: infos))
        }
        add("GET", "/v1/submissions/{id}", .owner) { request in
.json(try await daemon.submissionInfo(try await daemon.visibleSubmission(request)))
        }
        add("GET", "/v1/submissions/{id}/logs", .owner) { request in
            let submission = try await daemon.visibleSubmission(request)
            let stage = request.query["stage"].flatMap(Stage.init(rawValue:))
            if let name = request.query["stage"], stage == nil {
                throw Problem(title: "Invalid stage", status: 400, detail: "'\(name)' is not a stage; use build, train, predict or score")
            }
            let status = try await daemon.database.read { db in try SubmissionStatus.of(submission, db) }
            let chosen = stage ?? status.stage ?? .score
            let jobID = daemon.job(of: submission, chosen)
            guard let jobID, let job = try await daemon.database.read({ db in try Job.fetchOne(db, key: jobID) }) else {
                throw Problem(title: "No log", status: 404, detail: "the \(chosen.rawValue) stage of submission \(submission.id!) has no log")
            }
            let follow = request.query["follow"] == "true"
            return LogStream.response(path: daemon.logPath(of: job), follow: follow) {
                await daemon.jobHasEnded(jobID)
            }
        }
        add("POST", "/v1/submissions/{id}/cancel", .owner) { request in
            let submission = try await daemon.visibleSubmission(request)
            for stage in Stage.allCases {
                if let id = daemon.job(of: submission, stage), stage != .build {
                    _ = try? await daemon.database.write { db in try daemon.queue.cancel(db, id) }
                }
            }
            daemon.workers?.wake()
            return .json(try await daemon.submissionInfo(submission))
        }
        // Runs a scored submission again on its data and seed; its participant or a host.
        add("POST", "/v1/submissions/{id}/reproduce", .owner) { request in
            let source = try await daemon.visibleSubmission(request)
            guard let intake = daemon.intake else {
                throw Problem(title: "Pipeline unavailable", status: 503,
                              detail: "the daemon found no Python SDK (python/src); set python_sdk in its configuration")
            }
            try await daemon.checkDiskForSubmission()
            let reproductions = Reproductions(queue: daemon.queue, layout: intake.layout)
            let reproduction: Submission
            do {
                reproduction = try await BlockingWork.run {
                    try reproductions.start(source.id!, callerUID: request.caller.uid, isHost: request.caller.isAdmin)
                }
            } catch let error as PipelineError {
                let status = switch error.code {
                case .unknownSubmission: 404
                case .rateLimited: 429
                default: 409
                }
                throw Problem(title: "Not reproduced", status: status, detail: error.message)
            }
            daemon.workers?.wake()
            return .json(try await daemon.submissionInfo(reproduction), status: 201)
        }
        add("GET", "/v1/competitions/{name}/leaderboard", .anyone) { request in
            let competition = try await daemon.latestCompetition(request.parameters["name"] ?? "")
            let name = competition.competition
            let phase = try await daemon.database.read { db in try CompetitionClosure.phase(of: competition, now: Date(), db) }
            var closed = false
            if case .closed = phase { closed = true }
            // The private board decides at the end: hosts see it at any time, everyone once closed.
            let privateVisible = request.caller.isAdmin || closed
            let splits = competition.manifest.metric.splits != nil
            let board: Leaderboard.Board
            switch request.query["board"] {
            case nil, "public":
                board = splits ? .public : .overall
            case "private":
                guard splits else {
                    throw Problem(title: "No private leaderboard", status: 400, detail: "'\(name)' has one leaderboard: its manifest declares no metric.splits")
                }
                guard privateVisible else {
                    throw Problem(title: "Private leaderboard hidden", status: 403,
                                  detail: "the private leaderboard of '\(name)' is shown to hosts until the competition closes, then to everyone")
                }
                board = .private
            case let other?:
                throw Problem(title: "Unknown board", status: 400, detail: "board '\(other.prefix(32))' is neither public nor private")
            }
            // `version`: the board as it stood on one dataset version (its tag, or its id).
            var asOf: DatasetVersion?
            if let wanted = request.query["version"] {
                let dataset = competition.manifest.dataset.name
                asOf = try await daemon.database.read { db in
                    try DatasetVersion.find(dataset: dataset, tag: wanted, db)
                        ?? Int64(wanted).flatMap { id in try DatasetVersion.fetchOne(db, key: id) }.flatMap { version in
                            try DatasetVersion.versions(of: dataset, db).contains { $0.id == version.id } ? version : nil
                        }
                }
                guard asOf != nil else {
                    throw Problem(title: "No such dataset version", status: 404,
                                  detail: "dataset '\(dataset)' of '\(name)' has no version '\(wanted.prefix(64))'; `hekatonctl dataset show \(dataset)` lists them")
                }
            }
            // `history`: each entry's score on the dataset's latest N versions.
            var historyCount = 0
            if let text = request.query["history"] {
                guard let count = Int(text), (1...Self.maximumHistory).contains(count) else {
                    throw Problem(title: "Bad history", status: 400, detail: "history '\(text.prefix(16))' must be a whole number of dataset versions from 1 to \(Self.maximumHistory)")
                }
                historyCount = count
            }
            let standing = asOf, wanted = historyCount
            // One read: the entries' scores by version are read once for the board, the
            // stability column and the history.
            let (ranked, marks, teams, stability, historyVersions, history) = try await daemon.database.read { db in
                let scores = try Rescores.history(in: name, db)
                let versions = wanted > 0 ? try Rescores.latestVersions(competition, count: wanted, db) : []
                return (try standing.map { try Rescores.board(competition, on: $0.id!, board: board, history: scores, db) }
                            ?? Leaderboard.of(competition, db, board: board),
                        try Reproductions.marks(name, db), try Teams.byMember(in: name, db),
                        try Rescores.stability(competition, board: board, history: scores, db), versions,
                        wanted > 0 ? try Rescores.table(competition, versions: versions, board: board, history: scores, db) : [:])
            }
            let entries = ranked.map { entry in
                var shown = LeaderboardEntry(entry)
                shown.reproduced = marks[entry.submission.id!]
                shown.team = teams[entry.submission.participantUID]
                if splits {
                    shown.publicScore = entry.submission.publicScore
                    shown.privateScore = privateVisible ? entry.submission.privateScore : nil
                }
                shown.stability = stability[entry.submission.id!].map { StabilityInfo(mean: $0.mean, spread: $0.spread, versions: $0.versions) }
                if wanted > 0 { shown.history = history[entry.submission.id!] ?? historyVersions.map { _ in nil } }
                if board == .private {
                    shown.publicRank = entry.publicRank
                    shown.movement = entry.publicRank.map { $0 - entry.rank }
                    shown.selected = entry.chosen
                }
                return shown
            }
            var response = LeaderboardResponse(competition: name, metric: competition.manifest.metric.name,
                                               direction: competition.manifest.metric.direction.rawValue, entries: entries)
            response.board = splits ? board.rawValue : nil
            if wanted > 0 { response.historyVersions = historyVersions.map { "\(competition.manifest.dataset.name)@\($0.tag)" } }
            response.datasetVersion = asOf.map { "\(competition.manifest.dataset.name)@\($0.tag)" }
            return .json(response)
        }
    }
}

extension Router {
    /// The most dataset versions a leaderboard's `history` spans.
    static let maximumHistory = 60
}

extension DaemonContext {
    func job(of submission: Submission, _ stage: Stage) -> Int64? {
        switch stage {
        case .build: submission.buildJob
        case .train: submission.trainJob
        case .predict: submission.predictJob
        case .score: submission.scoreJob
        }
    }

    /// A participant sees only their own submissions; hosts see all.
    func visibleSubmission(_ request: APIRequest) async throws -> Submission {
        let id = try request.intParameter("id")
        let submission = try await database.read { db in try Submission.fetchOne(db, key: id) }
        guard let submission, request.caller.isAdmin || submission.participantUID == request.caller.uid else {
            throw Problem(title: "No such submission", status: 404, detail: "there is no submission \(id) of yours")
        }
        return submission
    }

    func submissionInfo(_ earlier: Submission) async throws -> SubmissionInfo {
        // The row is read again with its jobs, in one read: the status comes from the jobs, and
        // a row read before a stage's ending was recorded would show a failure without its error.
        let (submission, status, model, datasetVersion, splits) = try await database.read { db in
            let submission = try Submission.fetchOne(db, key: earlier.id!) ?? earlier
            return (submission, try SubmissionStatus.of(submission, db), try submission.modelID.flatMap { try Model.fetchOne(db, key: $0) },
             try AutomationMapping.versionTag(submission.datasetVersionID, db),
             try CompetitionVersion.fetchOne(db, key: submission.competitionVersionID)?.manifest.metric.splits)
        }
        var logTail: String?
        if status.state == .failed, let stage = status.stage, let jobID = job(of: submission, stage),
           let job = try await database.read({ db in try Job.fetchOne(db, key: jobID) }) {
            // Only the end of the log is read: a failed stage's log may be huge.
            let path = logPath(of: job)
            let text = try await BlockingWork.run { LogStream.tail(path: path, maxBytes: 16 << 10) }
            logTail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).joined(separator: "\n")
        }
        var jobs: [String: Int64] = [:]
        for stage in Stage.allCases { if let id = job(of: submission, stage) { jobs[stage.rawValue] = id } }
        var info = SubmissionInfo(id: submission.id!, competition: submission.competition, participant: submission.participant,
                              tag: submission.tag, state: status.state.rawValue, stage: status.stage?.rawValue,
                              // With splits, a submission shows its public score: the overall one
                              // would tell the private part's (the private board is the leaderboard's).
                              score: splits == nil ? submission.score : submission.publicScore, error: status.state == .failed ? (submission.error ?? "the \(status.stage?.rawValue ?? "") stage failed") : nil,
                              logTail: logTail, bundleDigest: submission.bundleDigest, modelDigest: model?.digest.description,
                              submittedAt: RFC3339.string(submission.submittedAt),
                              finishedAt: submission.finishedAt.map { RFC3339.string($0) }, jobs: jobs)
        info.kind = submission.kind.rawValue
        info.source = submission.sourceSubmissionID
        info.datasetVersion = datasetVersion
        if let verdict = try await database.read({ db in try Reproductions.verdict(submission, db) }) {
            info.reproduced = verdict.exact
            info.reproduction = verdict.detail
        }
        return info
    }
}

extension LeaderboardEntry {
    init(_ entry: Leaderboard.Entry) {
        self.init(rank: entry.rank, participant: entry.submission.participant, tag: entry.submission.tag,
                  score: entry.score, submission: entry.submission.id!,
                  submittedAt: RFC3339.string(entry.submission.submittedAt))
    }
}
