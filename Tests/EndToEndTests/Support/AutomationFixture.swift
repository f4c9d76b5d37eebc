import ControlAPI
import ControlClient
import Foundation
import Testing

/// A daemon with a copy of the Pococha example competition for the automation loop's failure
/// and crash tests: its dataset comes from a source directory the test writes (or a source
/// command the test supplies), the real schedules are suspended so that only
/// `hekatonctl schedule run` fires them, and the test may restart the daemon on the same state.
final class AutomationFixture: @unchecked Sendable {
    static let examples = BuiltProducts.packageRoot.appendingPathComponent("examples/pococha")
    static let dataset = "pococha-daily"

    let root: URL
    let name: String
    let competition: URL
    /// Where the directory source reads from.
    let source: URL
    private(set) var daemon: DaemonUnderTest

    var socket: String { daemon.socketPath }

    /// - Parameters:
    ///   - name: the competition's name (a copy of Pococha renamed).
    ///   - edit: changes the manifest's text further (after the source and name are set).
    ///   - sourceCommand: a source command instead of the directory source.
    ///   - images: keep the example's environment images (and give the daemon their base);
    ///     otherwise the competition runs on virtual environments (`ExampleCompetition`).
    ///   - prepare: changes the copied competition directory before it is published.
    ///   - suspend: the schedules to suspend after publishing.
    init(name: String = "pococha", sourceCommand: String? = nil, images: Bool = false, edit: (String) -> String = { $0 },
         prepare: (URL) throws -> Void = { _ in }, suspend: [String] = ["ingest", "artifact"]) throws {
        root = try makeScratchDirectory()
        self.name = name
        daemon = try DaemonUnderTest(root: root)
        competition = root.appendingPathComponent("competitions/\(name)")
        source = root.appendingPathComponent("upstream/\(name)")
        if images { try ImageFixture.installBase(into: daemon.stateDirectory) }
        try addCompetition(name: name, at: competition, source: source, sourceCommand: sourceCommand, images: images, edit: edit)
        try prepare(competition)
        let published = try publish(competition)
        try #require(published.status == 0, "\(published.stderr)")
        for task in suspend { try suspendSchedule("\(name).\(task)") }
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Copies the example competition to `directory`, named `name`, reading `source`; on
    /// virtual environments unless `images`.
    func addCompetition(name: String, at directory: URL, source: URL, sourceCommand: String? = nil, images: Bool = false,
                        edit: (String) -> String = { $0 }) throws {
        try ExampleCompetition.copy(to: directory, images: images) { text in
            var text = text.replacingOccurrences(of: "name: pococha\n", with: "name: \(name)\n")
            text = text.replacingOccurrences(of: "    command: [python3, host/fetch.py]\n",
                                             with: sourceCommand.map { "    command: \($0)\n" } ?? "    directory: \(source.path)\n")
            text = text.replacingOccurrences(of: "parameters:\n  k: 10\n", with: "parameters:\n  k: 10\n  world: {listeners: 200, livers: 50}\n")
            return edit(text)
        }
    }

    func publish(_ directory: URL) throws -> CommandResult {
        try hekatonctl(["competition", "publish", directory.path], socket: socket)
    }

    func suspendSchedule(_ schedule: String) throws {
        let suspended = try hekatonctl(["schedule", "suspend", schedule], socket: socket)
        try #require(suspended.status == 0, "\(suspended.stderr)")
    }

    // MARK: Data

    /// Writes the synthetic day `day` (YYYY-MM-DD) into `directory`, replacing what was there.
    static func writeDay(_ day: String, into directory: URL) throws {
        try? FileManager.default.removeItem(at: directory)
        let generated = try runCommand("/usr/bin/env", ["python3", examples.appendingPathComponent("generate.py").path,
                                                        "--day", day, "--out", directory.path, "--listeners", "200", "--livers", "50"])
        try #require(generated.status == 0, "\(generated.stderr)")
    }

    /// Writes day `day` (YYYY-MM-DD) into the source directory, with `markers` (files such as
    /// `train/FAIL`), and ingests it for 04:00 that day in Tokyo; requires success.
    func ingestDay(_ day: String, markers: [String] = []) throws {
        try Self.writeDay(day, into: source)
        for marker in markers { try mark(marker) }
        let ingested = try run("ingest", at: "\(day)T04:00:00+09:00")
        try #require(ingested.status == 0, "\(ingested.stdout)\(ingested.stderr)")
    }

    /// A source command that holds: it copies a prepared day into its output, appends
    /// `$HEKATON_DATE` to `started`, waits while `hold` exists, then appends to `released`.
    /// Source commands are not sandboxed, so it sees these paths.
    struct HeldSource {
        let hold: String
        let started: String
        let released: String

        /// Started for each run so far, by their days.
        var runs: [String] { ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        func release() throws { try FileManager.default.removeItem(atPath: hold) }
    }

    /// A fixture whose source is a `HeldSource` copying the synthetic `day`, held.
    static func withHeldSource(day: String = "2026-12-01") throws -> (AutomationFixture, HeldSource) {
        var held: HeldSource?
        let fixture = try AutomationFixture(sourceCommand: "[python3, host/held_source.py]", prepare: { competition in
            let directory = competition.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("held")
            let source = HeldSource(hold: directory.appendingPathComponent("hold").path, started: directory.appendingPathComponent("started").path,
                                    released: directory.appendingPathComponent("released").path)
            let copy = directory.appendingPathComponent("day")
            try writeDay(day, into: copy)
            FileManager.default.createFile(atPath: source.hold, contents: nil)
            try """
                import os, shutil, time
                shutil.copytree(\"\(copy.path)\", os.environ["HEKATON_OUTPUT_DIR"], dirs_exist_ok=True)
                with open(\"\(source.started)\", "a") as f:
                    f.write(os.environ["HEKATON_DATE"] + "\\n")
                while os.path.exists(\"\(source.hold)\"):
                    time.sleep(0.05)
                with open(\"\(source.released)\", "a") as f:
                    f.write("released\\n")
                """.write(to: competition.appendingPathComponent("host/held_source.py"), atomically: true, encoding: .utf8)
            held = source
        })
        return (fixture, try #require(held))
    }

    /// Writes a marker file (`train/FAIL`, say) into the source directory.
    func mark(_ relative: String, in directory: URL? = nil) throws {
        let url = (directory ?? source).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "marker\n".write(to: url, atomically: true, encoding: .utf8)
    }

    // MARK: Driving and reading

    /// `hekatonctl schedule run NAME.TASK --logical-time INSTANT --wait`.
    @discardableResult
    func run(_ task: String, at instant: String, competition: String? = nil) throws -> CommandResult {
        try hekatonctl(["schedule", "run", "\(competition ?? name).\(task)", "--logical-time", instant, "--wait"], socket: socket)
    }

    func status() throws -> StatusResponse {
        try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
    }

    func history(_ competition: String? = nil) throws -> HistoryResponse {
        try daemon.client.call("GET", "/v1/competitions/\(competition ?? name)/history", as: HistoryResponse.self)
    }

    /// The tags of the dataset's versions, oldest first; none when it has none.
    func versions(_ dataset: String = AutomationFixture.dataset) throws -> [String] {
        let shown = try hekatonctl(["dataset", "show", dataset, "--json"], socket: socket)
        guard shown.status == 0 else { return [] }
        return try JSONDecoder().decode(DatasetDetail.self, from: Data(shown.stdout.utf8)).versions.map(\.tag)
    }

    func job(_ id: Int64) throws -> JobInfo {
        try daemon.client.call("GET", "/v1/jobs/\(id)", as: JobInfo.self)
    }

    func jobs() throws -> [JobInfo] {
        try daemon.client.call("GET", "/v1/jobs?limit=1000", as: JobList.self).jobs
    }

    func jobLog(_ id: Int64) throws -> String {
        try hekatonctl(["job", "logs", "\(id)"], socket: socket).stdout
    }

    /// Every submission, the daemon's retrains and evaluations included.
    func allSubmissions() throws -> [SubmissionInfo] {
        try daemon.client.call("GET", "/v1/submissions?kind=all&limit=1000", as: SubmissionList.self).submissions
    }

    func schedule(_ name: String) throws -> ScheduleInfo {
        let shown = try hekatonctl(["schedule", "show", name, "--json"], socket: socket)
        try #require(shown.status == 0, "\(shown.stderr)")
        return try JSONDecoder().decode(ScheduleInfo.self, from: Data(shown.stdout.utf8))
    }

    /// Rows of a read-only SQL query on the daemon's database, for records no API lists in
    /// full (every ingestion, say). Columns are separated by `|`.
    func query(_ sql: String) throws -> [String] {
        let database = root.appendingPathComponent("state/hekaton.sqlite3").path
        let result = try runCommand("/usr/bin/sqlite3", ["-readonly", database, sql])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    // MARK: Submissions

    /// A copy of the popularity baseline whose Trainer first runs `body` (Python, indented 8
    /// spaces; `dataset` is the training data it sees).
    func participant(_ label: String, trainPrelude body: String) throws -> URL {
        let directory = root.appendingPathComponent("submissions/\(label)")
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("submissions/popularity"), to: directory)
        let file = directory.appendingPathComponent("submission.py")
        let signature = "    def train(self, dataset: hekaton.Dataset) -> None:\n"
        let text = try String(contentsOf: file, encoding: .utf8)
        try #require(text.contains(signature))
        try text.replacingOccurrences(of: signature, with: signature + body + "\n").write(to: file, atomically: true, encoding: .utf8)
        return directory
    }

    static let slowMarker = "SLOW marker: training slowly"

    /// A `trainPrelude` that prints `slowMarker` and sleeps 20 s when `train/SLOW` is in the
    /// training data; `tag` makes the bundle differ from another's.
    static func slowTraining(tag: String = "slow") -> String {
        """
                # \(tag)
                if dataset.exists("SLOW"):
                    import time
                    print("\(slowMarker)", flush=True)
                    time.sleep(20)
        """
    }

    /// Waits until attempt `attempt` of a train job is training: running, its log showing
    /// `slowMarker` once per attempt (attempts append to one log).
    func waitForTraining(_ trainJob: Int64, attempt: Int = 1) throws {
        try waitUntil("attempt \(attempt) of job \(trainJob) to train", timeout: .seconds(300), poll: .milliseconds(200)) {
            let job = try self.job(trainJob)
            guard job.state == "running", job.attempt == attempt else { return false }
            return try jobLog(trainJob).components(separatedBy: Self.slowMarker).count - 1 >= attempt
        }
    }

    /// Submits `directory` and waits until it ends, scored or not.
    func submitAndWait(_ directory: URL, competition: String? = nil) throws -> SubmissionInfo {
        let submitted = try hekatonctl(["submit", "--competition", competition ?? name, "--json", directory.path], socket: socket)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8)).id
        var ended: SubmissionInfo?
        try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
            ended = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(ended!.state)
        }
        return ended!
    }

    /// Submits `directory` and waits until it is scored.
    func submitScored(_ directory: URL, competition: String? = nil) throws -> SubmissionInfo {
        let ended = try submitAndWait(directory, competition: competition)
        try #require(ended.state == "scored", "\(ended.error ?? "") \(ended.logTail ?? "")")
        return ended
    }

    /// Waits until every round of the competition is decided.
    func roundsDecided(_ competition: String? = nil, timeout: Duration = .seconds(300)) throws -> HistoryResponse {
        var last: HistoryResponse?
        try waitUntil("the retraining rounds to be decided", timeout: timeout, poll: .milliseconds(200)) {
            last = try history(competition)
            return last!.rows.allSatisfy { $0.rounds.allSatisfy { $0.state != "running" } }
        }
        return last!
    }

    // MARK: The daemon's life

    /// Kills the daemon with SIGKILL, as a crash would.
    func crash() throws {
        daemon.signal(SIGKILL)
        _ = try daemon.waitForExit()
    }

    /// Stops the daemon with SIGTERM, as `systemctl stop` would.
    func stop() throws {
        daemon.signal(SIGTERM)
        let status = try daemon.waitForExit()
        try #require(status == 0, "hekatond exited \(status); its log:\n\(daemon.log)")
    }

    /// Starts a new daemon on the same state directory and socket.
    func restart() throws {
        try? FileManager.default.removeItem(atPath: daemon.notify.path)
        daemon = try DaemonUnderTest(root: root)
    }
}
