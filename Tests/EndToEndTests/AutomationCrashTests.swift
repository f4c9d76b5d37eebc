import ControlAPI
import ControlClient
import Foundation
import Testing

/// The automation loop is idempotent and survives its daemon: the same data makes one
/// version; a kill -9 during ingestion, retraining or an artifact build, then a restart,
/// leaves exactly one of each thing it was making; a night missed while the daemon was down
/// is caught up once.
@Suite("The automation loop across crashes and re-runs", .serialized)
struct AutomationCrashTests {
    static let day1 = "2026-12-01T04:00:00+09:00"
    static let day2 = "2026-12-02T04:00:00+09:00"

    /// Waits until `path` exists and returns its text.
    func waitForFile(_ path: String, timeout: Duration = .seconds(120)) throws -> String {
        try waitUntil("\(path) to be written", timeout: timeout, poll: .milliseconds(50)) { FileManager.default.fileExists(atPath: path) }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Waits until job `id` has ended and returns it.
    func ended(_ id: Int64, _ f: AutomationFixture, timeout: Duration = .seconds(300)) throws -> JobInfo {
        var job: JobInfo?
        try waitUntil("job \(id) to end", timeout: timeout, poll: .milliseconds(200)) {
            job = try f.job(id)
            return ["succeeded", "dead", "cancelled", "upstream-failed"].contains(job!.state)
        }
        return job!
    }

    /// Fires `schedule` for `instant` without waiting; returns the job it made.
    func fire(_ schedule: String, at instant: String, _ f: AutomationFixture) throws -> Int64 {
        let fired = try hekatonctl(["schedule", "run", schedule, "--logical-time", instant], socket: f.socket)
        try #require(fired.status == 0, "\(fired.stderr)")
        return try #require(try f.schedule(schedule).lastJobID)
    }

    @Test("The same data ingested twice makes one version: the second run records `unchanged` and starts no round")
    func sameDataTwice() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        // Again for the same day, and for the next day with the same bytes.
        for instant in [Self.day1, Self.day2] {
            let again = try f.run("ingest", at: instant)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            let ingestion = try #require(try f.status().ingestions.first)
            #expect(ingestion.outcome == "unchanged")
            #expect(ingestion.datasetVersion == "pococha-daily@2026-12-01", "it names the version that already has these bytes")
        }
        #expect(try f.versions() == ["2026-12-01"])
        #expect(try f.query("SELECT outcome || ' ' || tag FROM pipeline_ingestion ORDER BY id")
                == ["new-version 2026-12-01", "unchanged 2026-12-01", "unchanged 2026-12-01"])
        #expect(try f.query("SELECT COUNT(*) FROM pipeline_round") == ["1"], "only the new version started a round")
        #expect(try f.history().rows.map { $0.rounds.count } == [1])
        try f.daemon.expectHealthyStore()
    }

    @Test("kill -9 during ingestion, restart: exactly one version for the day, one `new-version` ingestion, one round")
    func crashDuringIngestion() throws {
        let (f, held) = try AutomationFixture.withHeldSource()
        let jobID = try fire("pococha.ingest", at: Self.day1, f)
        try waitUntil("the source command to start", timeout: .seconds(120)) { held.runs == ["2026-12-01"] }
        try f.crash()
        try held.release()
        // The orphaned source command ends on its own once released.
        _ = try waitForFile(held.released)
        #expect(try f.versions().isEmpty, "nothing was recorded before the crash")
        try f.restart()

        let job = try ended(jobID, f)
        #expect(job.state == "succeeded", "\(job.error ?? "")")
        #expect(job.attempt == 2, "the interrupted attempt counts once; the job ran again")
        #expect(held.runs == ["2026-12-01", "2026-12-01"], "the source command ran again after the restart")
        #expect(try f.versions() == ["2026-12-01"])
        #expect(try f.query("SELECT outcome || ' ' || tag || ' ' || job_id FROM pipeline_ingestion ORDER BY id")
                == ["new-version 2026-12-01 \(jobID)"])
        #expect(try f.query("SELECT COUNT(*) FROM pipeline_round") == ["1"])
        #expect(try f.history().rows.map { $0.rounds.count } == [1])
        #expect(try f.jobs().filter { $0.schedule == "pococha.ingest" }.map(\.id) == [jobID], "no second ingestion job")
        try f.daemon.expectHealthyStore()
    }

    /// A scored champion whose Trainer sleeps when `train/SLOW` is in its data, and a new
    /// version with that marker, whose round is retraining it now. Returns the champion and
    /// its retrain.
    func slowRetraining(_ f: AutomationFixture) throws -> (champion: SubmissionInfo, retrain: SubmissionInfo) {
        try f.ingestDay("2026-12-01")
        let champion = try f.submitScored(try f.participant("sleepy", trainPrelude: AutomationFixture.slowTraining()))
        try f.ingestDay("2026-12-02", markers: ["train/SLOW"])
        var retrain: SubmissionInfo?
        try waitUntil("the champion's retrain to exist", timeout: .seconds(30), poll: .milliseconds(100)) {
            retrain = try f.allSubmissions().first { $0.kind == "retrain" && $0.source == champion.id }
            return retrain?.jobs["train"] != nil
        }
        return (champion, retrain!)
    }

    @Test("kill -9 during retraining, restart: one retrain submission for (champion, version), the round decided once, at most one promotion")
    func crashDuringRetraining() throws {
        let f = try AutomationFixture()
        let (champion, retrain) = try slowRetraining(f)
        let trainJob = try #require(retrain.jobs["train"])
        try f.waitForTraining(trainJob)
        try f.crash()
        try f.restart()

        let history = try f.roundsDecided()
        let row = try #require(history.rows.first { $0.datasetVersion == "2026-12-02" })
        try #require(row.rounds.count == 1, "one round for the version")
        let round = row.rounds[0]
        #expect(["promoted", "kept"].contains(round.state), "\(round.state): \(round.decision ?? "")")
        let retrains = try f.allSubmissions().filter {
            $0.kind == "retrain" && $0.source == champion.id && $0.datasetVersion == "pococha-daily@2026-12-02"
        }
        #expect(retrains.map(\.id) == [retrain.id], "exactly one retrain of the champion on the version")
        #expect(retrains.first?.state == "scored", "\(retrains.first?.error ?? "")")
        #expect(round.members.filter { $0.kind == "retrain" }.map(\.submission) == retrains.map(\.id))
        #expect(try f.job(trainJob).attempt == 2, "the interrupted attempt counted; the second one trained")
        #expect(try f.query("SELECT COUNT(*) FROM pipeline_round WHERE decided_at IS NOT NULL") == ["2"],
                "the first version's round and this one, each decided once")
        let promotions = history.promotions.filter { $0.round == round.id }
        #expect(promotions.count == (round.state == "promoted" ? 1 : 0), "\(history.promotions)")
        #expect(history.promotions.filter { $0.kind == "automatic" }.count == promotions.count)
        try f.daemon.expectHealthyStore()
    }

    @Test("kill -9 twice during the same retraining: its job runs out of attempts, yet the retrain fails, the round is decided and production stays")
    func crashTwiceDuringRetraining() throws {
        let f = try AutomationFixture()
        let (_, retrain) = try slowRetraining(f)
        let production = try #require(try f.status().competitions.first?.production)
        let trainJob = try #require(retrain.jobs["train"])
        for attempt in 1...2 {
            try f.waitForTraining(trainJob, attempt: attempt)
            try f.crash()
            try f.restart()
        }
        let job = try ended(trainJob, f, timeout: .seconds(60))
        #expect(job.state == "dead")
        #expect(job.error?.contains("interrupted") == true, "\(job.error ?? "")")

        let history = try f.roundsDecided(timeout: .seconds(60))
        let round = try #require(history.rows.first { $0.datasetVersion == "2026-12-02" }?.rounds.first)
        #expect(round.state == "failed", "\(round.decision ?? "")")
        let member = try #require(round.members.first { $0.submission == retrain.id })
        #expect(member.state == "failed")
        #expect(member.error?.isEmpty == false)
        #expect(round.decision?.contains("#\(retrain.id)") == true, "\(round.decision ?? "")")
        let status = try f.status()
        #expect(status.competitions.first?.production == production, "production stays")
        #expect(status.attention.contains { $0.kind == "retraining-failed" }, "\(status.attention)")
        try f.daemon.expectHealthyStore()
    }

    @Test("kill -9 during an artifact build, restart: one succeeded build for the job, `latest` points to it, only kept builds on disk")
    func crashDuringArtifact() throws {
        let f = try AutomationFixture(edit: { $0.replacingOccurrences(of: "  keep: 7 ", with: "  keep: 1 ") }, prepare: { directory in
            let script = directory.appendingPathComponent("host/artifact.py")
            let text = try String(contentsOf: script, encoding: .utf8)
            let start = "def build(ctx, predictor):\n"
            try #require(text.contains(start))
            try text.replacingOccurrences(of: start, with: start + """
                    if (Path(ctx.require("data_dir")) / "train" / "SLOW_ARTIFACT").exists():
                        import time
                        print("SLOW_ARTIFACT marker: building slowly", flush=True)
                        time.sleep(12)

                """).write(to: script, atomically: true, encoding: .utf8)
        })
        try f.ingestDay("2026-12-01", markers: ["train/SLOW_ARTIFACT"])
        _ = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        let first = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        let earlier = try #require(try f.status().competitions.first?.lastArtifact)

        let jobID = try fire("pococha.artifact", at: "2026-12-02T05:00:00+09:00", f)
        try waitUntil("the artifact entrypoint to run", timeout: .seconds(120), poll: .milliseconds(100)) {
            try f.job(jobID).state == "running" && f.jobLog(jobID).contains("SLOW_ARTIFACT marker: building slowly")
        }
        try f.crash()
        try f.restart()

        let job = try ended(jobID, f)
        #expect(job.state == "succeeded", "\(job.error ?? "")")
        #expect(job.attempt == 2)
        #expect(try f.query("SELECT state FROM pipeline_artifact WHERE job_id = \(jobID)") == ["succeeded"],
                "exactly one build recorded for the job")
        #expect(try f.query("SELECT job_id || ' ' || state FROM pipeline_artifact ORDER BY id")
                == ["\(earlier.job) pruned", "\(jobID) succeeded"], "keep: 1 prunes the earlier build")
        let artifacts = f.root.appendingPathComponent("state/artifacts/pococha")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: artifacts.appendingPathComponent("latest").path) == "\(jobID)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: artifacts.path)) == ["\(jobID)", "latest"])
        #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("latest/files/recommendations.jsonl").path))
        let last = try #require(try f.status().competitions.first?.lastArtifact)
        #expect(last.job == jobID)
        #expect(last.state == "succeeded")
        try f.daemon.expectHealthyStore()
    }

    @Test("A nightly run missed while the daemon was down is caught up once")
    func missedRunCaughtUpOnce() throws {
        let f = try AutomationFixture(edit: {
            $0.replacingOccurrences(of: "  artifact: {cron: \"0 5 * * *\", time_zone: Asia/Tokyo}", with: "  artifact: {cron: \"* * * * *\", time_zone: UTC}")
        }, suspend: ["ingest"])
        try f.stop()
        let stopped = Date()
        // Down across two whole minute boundaries: both fires are missed.
        let firstMissed = (stopped.timeIntervalSince1970 / 60).rounded(.up) * 60
        let secondMissed = firstMissed + 60
        try waitUntil("two minute boundaries to pass while hekatond is down", timeout: .seconds(150), poll: .milliseconds(500)) {
            Date().timeIntervalSince1970 > secondMissed + 1
        }
        try f.restart()
        let restarted = Date()

        var events: [ScheduleEventInfo] = []
        try waitUntil("the start-up catch-up", timeout: .seconds(30), poll: .milliseconds(100)) {
            events = try f.schedule("pococha.artifact").events ?? []
            return events.contains { $0.kind == "caught-up" }
        }
        let downtime = events.filter { event in
            guard let at = parsedInstant(event.at) else { return false }
            return at > stopped && at < restarted.addingTimeInterval(5)
                && (event.scheduledFor.flatMap(parsedInstant).map { $0.timeIntervalSince1970 <= secondMissed } ?? true)
        }
        #expect(downtime.map(\.kind) == ["caught-up"], "\(events)")
        let caughtUp = try #require(downtime.first)
        #expect(caughtUp.detail?.contains("caught up once") == true, "\(caughtUp.detail ?? "")")
        #expect(caughtUp.scheduledFor.flatMap(parsedInstant)?.timeIntervalSince1970 == secondMissed, "it stands for the latest missed fire")
        let jobID = try #require(caughtUp.jobID)
        let missedJobs = try f.jobs().filter { job in
            guard job.schedule == "pococha.artifact", let instant = job.labels["hekaton.instant"].flatMap(Double.init) else { return false }
            return instant > stopped.timeIntervalSince1970 && instant <= secondMissed
        }
        #expect(missedJobs.map(\.id) == [jobID], "one artifact job for the downtime")
        try f.daemon.expectHealthyStore()
    }
}

/// An instant as the API writes it (RFC 3339 in UTC, with or without fractional seconds).
private func parsedInstant(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
