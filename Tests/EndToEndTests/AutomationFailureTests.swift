import ControlAPI
import ControlClient
import Foundation
import Testing

/// The automation loop when something is wrong: a source that is gone, fails or is
/// incomplete, a retraining or an artifact build that fails, a manifest or a command that
/// makes no sense. Each ends clearly (a dead job with a message, an attention item, a non-zero
/// exit) and changes nothing it should not: no dataset version, the same production model,
/// the same `latest` artifact.
@Suite("The automation loop's failures", .serialized)
struct AutomationFailureTests {
    static let day1 = "2026-12-01T04:00:00+09:00"
    static let day2 = "2026-12-02T04:00:00+09:00"

    /// The job `schedule` last fired (`schedule run --wait` has waited for its end).
    func lastJob(_ schedule: String, _ f: AutomationFixture) throws -> JobInfo {
        try f.job(try #require(try f.schedule(schedule).lastJobID))
    }

    @Test("A source directory that vanished: the ingestion ends dead naming it, status asks for attention, no new version")
    func vanishedSourceDirectory() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        #expect(try f.versions() == ["2026-12-01"])

        try FileManager.default.removeItem(at: f.source)
        let second = try f.run("ingest", at: Self.day2)
        #expect(second.status != 0, "--wait exits non-zero when the job did not succeed")
        #expect(second.stdout.contains(f.source.path), "\(second.stdout)")
        let job = try lastJob("pococha.ingest", f)
        #expect(job.state == "dead")
        #expect(job.error?.contains(f.source.path) == true, "\(job.error ?? "")")
        #expect(try f.jobLog(job.id).contains("the source directory \(f.source.path)"))

        let status = try f.status()
        let ingestion = try #require(status.ingestions.first { $0.dataset == AutomationFixture.dataset })
        #expect(ingestion.outcome == "failed")
        #expect(ingestion.job == job.id)
        #expect(ingestion.datasetVersion == nil)
        let item = try #require(status.attention.first { $0.kind == "ingestion-failed" }, "\(status.attention)")
        #expect(item.subject == AutomationFixture.dataset)
        #expect(item.message.contains(f.source.path), "\(item.message)")
        #expect(try f.versions() == ["2026-12-01"], "no new version")
        #expect(try f.history().rows.map(\.datasetVersion) == ["2026-12-01"])
        #expect(try f.query("SELECT outcome FROM pipeline_ingestion ORDER BY id") == ["new-version", "failed"])
        #expect(try f.query("SELECT COUNT(*) FROM pipeline_round") == ["1"], "a failed ingestion starts no round")
        try f.daemon.expectHealthyStore()
    }

    @Test("A source command that exits non-zero, and one that writes nothing: failed ingestions with a clear message, no version")
    func failingSourceCommands() throws {
        let exits = """
            import sys
            print("bad_source: the upstream export for today is missing", file=sys.stderr)
            sys.exit(3)
            """
        let writesNothing = """
            print("empty_source: nothing was exported today")
            """
        let f = try AutomationFixture(name: "exits", sourceCommand: "[python3, host/bad_source.py]",
                                      edit: { $0.replacingOccurrences(of: "  name: pococha-daily", with: "  name: exits-data") },
                                      prepare: { try exits.write(to: $0.appendingPathComponent("host/bad_source.py"), atomically: true, encoding: .utf8) })
        let empty = f.root.appendingPathComponent("competitions/empty")
        try f.addCompetition(name: "empty", at: empty, source: f.source, sourceCommand: "[python3, host/empty_source.py]",
                             edit: { $0.replacingOccurrences(of: "  name: pococha-daily", with: "  name: empty-data") })
        try writesNothing.write(to: empty.appendingPathComponent("host/empty_source.py"), atomically: true, encoding: .utf8)
        let published = try f.publish(empty)
        try #require(published.status == 0, "\(published.stderr)")
        try f.suspendSchedule("empty.ingest")
        try f.suspendSchedule("empty.artifact")

        // Both at once: each is retried with backoff before it is dead.
        for name in ["exits", "empty"] {
            let fired = try hekatonctl(["schedule", "run", "\(name).ingest", "--logical-time", Self.day1], socket: f.socket)
            try #require(fired.status == 0, "\(fired.stderr)")
        }
        var jobs: [String: JobInfo] = [:]
        for name in ["exits", "empty"] {
            let id = try #require(try f.schedule("\(name).ingest").lastJobID)
            try waitUntil("the ingestion of \(name) to end", timeout: .seconds(180), poll: .milliseconds(200)) {
                jobs[name] = try f.job(id)
                return ["succeeded", "dead", "cancelled"].contains(jobs[name]!.state)
            }
        }
        let exited = try #require(jobs["exits"])
        #expect(exited.state == "dead")
        #expect(exited.attempt == 3, "retried before it was given up")
        #expect(exited.exitStatus == 3)
        #expect(try f.jobLog(exited.id).contains("bad_source: the upstream export for today is missing"))
        let nothing = try #require(jobs["empty"])
        #expect(nothing.state == "dead")
        #expect(nothing.error?.contains("holds no files") == true, "\(nothing.error ?? "")")

        let status = try f.status()
        for (dataset, job) in [("exits-data", exited), ("empty-data", nothing)] {
            let ingestion = try #require(status.ingestions.first { $0.dataset == dataset }, "\(status.ingestions)")
            #expect(ingestion.outcome == "failed")
            #expect(ingestion.job == job.id)
            #expect(ingestion.error?.isEmpty == false)
            let item = try #require(status.attention.first { $0.kind == "ingestion-failed" && $0.subject == dataset }, "\(status.attention)")
            #expect(item.message.contains("job \(job.id)"), "\(item.message)")
            #expect(try f.versions(dataset).isEmpty, "no version of \(dataset)")
        }
        let item = try #require(status.attention.first { $0.subject == "empty-data" })
        #expect(item.message.contains("holds no files"), "\(item.message)")
        #expect(try f.query("SELECT COUNT(*) FROM pipeline_round") == ["0"])
        try f.daemon.expectHealthyStore()
    }

    @Test("A source without the labels subtree is refused: no version")
    func sourceWithoutLabels() throws {
        let f = try AutomationFixture()
        try AutomationFixture.writeDay("2026-12-01", into: f.source)
        try FileManager.default.removeItem(at: f.source.appendingPathComponent("eval/labels"))
        let run = try f.run("ingest", at: Self.day1)
        #expect(run.status != 0)
        let job = try lastJob("pococha.ingest", f)
        #expect(job.state == "dead")
        #expect(job.error?.contains("'eval/labels/'") == true, "\(job.error ?? "")")
        let ingestion = try #require(try f.status().ingestions.first)
        #expect(ingestion.outcome == "failed")
        #expect(ingestion.error?.contains("dataset.labels") == true, "\(ingestion.error ?? "")")
        #expect(try f.versions().isEmpty)
        #expect(try f.history().rows.isEmpty)
        try f.daemon.expectHealthyStore()
    }

    @Test("The champion's retraining fails: the round is failed, production stays, status says so")
    func retrainingFails() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        let champion = try f.submitScored(try f.participant("fragile", trainPrelude: """
                    if dataset.exists("FAIL"):
                        raise RuntimeError("a FAIL marker is in the training data")
            """))
        let production = try #require(try f.status().competitions.first?.production)
        #expect(production.submission == champion.id)

        try f.ingestDay("2026-12-02", markers: ["train/FAIL"])
        let history = try f.roundsDecided()
        let round = try #require(history.rows.last?.rounds.last)
        #expect(round.datasetVersion == "pococha-daily@2026-12-02")
        #expect(round.trigger == "ingest")
        #expect(round.state == "failed", "\(round.decision ?? "")")
        let retrain = try #require(round.members.first { $0.kind == "retrain" })
        #expect(retrain.source == champion.id)
        #expect(retrain.state == "failed")
        #expect(round.decision?.contains("#\(retrain.submission)") == true, "\(round.decision ?? "")")
        #expect(round.bestModel == nil)
        let log = try hekatonctl(["logs", "\(retrain.submission)", "--stage", "train"], socket: f.socket).stdout
        #expect(log.contains("a FAIL marker is in the training data"), "\(log.suffix(500))")

        let status = try f.status()
        let now = try #require(status.competitions.first?.production)
        #expect(now.id == production.id, "no promotion")
        #expect(now.model == production.model)
        #expect(try f.history().promotions.map(\.kind) == ["initial"])
        let item = try #require(status.attention.first { $0.kind == "retraining-failed" }, "\(status.attention)")
        #expect(item.subject == "pococha")
        #expect(item.message.contains("round \(round.id)"), "\(item.message)")
        #expect(item.message.contains("#\(retrain.submission)"), "\(item.message)")
        #expect(item.message.contains("production stays"), "\(item.message)")
        try f.daemon.expectHealthyStore()
    }

    @Test("A host score entrypoint that exits 0 without a score on the new version: the round's members fail (not stuck), the round is decided")
    func scoreWithoutValue() throws {
        let f = try AutomationFixture(prepare: { competition in
            let script = competition.appendingPathComponent("host/score.py")
            let text = try String(contentsOf: script, encoding: .utf8)
            let main = "if __name__ == \"__main__\":\n"
            try #require(text.contains(main))
            try text.replacingOccurrences(of: main, with: main + """
                    import os, sys
                    if os.path.exists(os.path.join(os.environ["HEKATON_LABELS_DIR"], "NO_SCORE")):
                        print("score.py: NO_SCORE marker, leaving without a score")
                        sys.exit(0)

                """).write(to: script, atomically: true, encoding: .utf8)
        })
        try f.ingestDay("2026-12-01")
        let champion = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        let production = try #require(try f.status().competitions.first?.production)
        try f.ingestDay("2026-12-02", markers: ["eval/labels/NO_SCORE"])

        let history = try f.roundsDecided(timeout: .seconds(120))
        let round = try #require(history.rows.last?.rounds.last)
        #expect(round.datasetVersion == "pococha-daily@2026-12-02")
        #expect(round.state == "failed", "\(round.decision ?? "")")
        let retrain = try #require(round.members.first { $0.kind == "retrain" })
        #expect(retrain.source == champion.id)
        #expect(retrain.state == "failed")
        #expect(retrain.error?.contains("wrote no metrics.json") == true, "\(retrain.error ?? "")")
        #expect(round.members.allSatisfy { $0.state == "failed" }, "\(round.members)")
        #expect(try f.status().competitions.first?.production == production)
        try f.daemon.expectHealthyStore()
    }

    @Test("An artifact build that fails after one that succeeded: `latest` still points to the earlier build, intact")
    func artifactFails() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        _ = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        let built = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        try #require(built.status == 0, "\(built.stdout)\(built.stderr)")
        let good = try #require(try f.status().competitions.first?.lastArtifact)
        try #require(good.state == "succeeded", "\(good.error ?? "")")
        let artifacts = f.root.appendingPathComponent("state/artifacts/pococha")
        let latest = artifacts.appendingPathComponent("latest")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest.path) == "\(good.job)")
        let files = latest.appendingPathComponent("files")
        let listing = try FileManager.default.subpathsOfDirectory(atPath: files.path).sorted()
        let recommendations = try Data(contentsOf: files.appendingPathComponent("recommendations.jsonl"))
        #expect(!recommendations.isEmpty)

        // A new version of the competition whose artifact entrypoint fails.
        let script = f.competition.appendingPathComponent("host/artifact.py")
        let text = try String(contentsOf: script, encoding: .utf8)
        let main = "if __name__ == \"__main__\":\n    host.main(host.run_artifact, build)\n"
        try #require(text.contains(main))
        try text.replacingOccurrences(of: main, with: """
            if __name__ == "__main__":
                import sys
                print("artifact.py: the serving bundle cannot be built", file=sys.stderr)
                sys.exit(1)

            """).write(to: script, atomically: true, encoding: .utf8)
        let republished = try f.publish(f.competition)
        try #require(republished.status == 0, "\(republished.stderr)")
        let failed = try f.run("artifact", at: "2026-12-02T05:00:00+09:00")
        #expect(failed.status != 0)
        let last = try #require(try f.status().competitions.first?.lastArtifact)
        #expect(last.state == "failed")
        #expect(last.job != good.job)
        #expect(last.path == nil)
        #expect(try f.jobLog(last.job).contains("the serving bundle cannot be built"))

        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest.path) == "\(good.job)", "latest stays")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: files.path).sorted() == listing, "its files are intact")
        #expect(try Data(contentsOf: files.appendingPathComponent("recommendations.jsonl")) == recommendations)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: artifacts.path)) == ["\(good.job)", "latest"],
                "the failed build left no directory")
        let item = try #require(try f.status().attention.first { $0.kind == "artifact-failed" })
        #expect(item.message.contains("job \(last.job)"), "\(item.message)")
        #expect(item.message.contains("the latest stays build \(good.id) of job \(good.job)"), "\(item.message)")
        try f.daemon.expectHealthyStore()
    }

    @Test("An artifact image with no base, from a model whose environment is not an image, is dead at once with what to do")
    func artifactImageWithoutABase() throws {
        let f = try AutomationFixture(edit: { $0 + "  oci: {prefix: srv/artifact, entrypoint: [python3], port: 8080}\n" })
        try f.ingestDay("2026-12-01")
        _ = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        let built = try f.run("artifact", at: "2026-12-01T05:00:00+09:00")
        #expect(built.status != 0)
        let job = try lastJob("pococha.artifact", f)
        #expect(job.state == "dead")
        #expect(job.attempt == 1, "no retry: the environment stays what it is")
        #expect(job.error?.contains("names no base, and the production model's environment is not an image") == true, "\(job.error ?? "")")
        #expect(job.error?.contains("declare images:") == true)
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("state/artifacts/pococha/latest").path))
    }

    @Test("An artifact with no production model is dead at once with the reason, not retried")
    func artifactWithoutProduction() throws {
        let f = try AutomationFixture()
        let started = ContinuousClock.now
        let built = try f.run("artifact", at: Self.day1)
        #expect(built.status != 0)
        let job = try lastJob("pococha.artifact", f)
        #expect(job.state == "dead")
        #expect(job.attempt == 1, "no retry: another try finds no production model either")
        #expect(job.error?.contains("has no production model yet") == true, "\(job.error ?? "")")
        #expect(ContinuousClock.now - started < .seconds(10), "no backoff waited")
    }

    @Test("Bad manifests are refused at publish naming the file, the line and the field; nothing is published",
          arguments: [
              ("an ingest schedule without a dataset source", "schedules.ingest", "  ingest: {"),
              ("a cron that can never fire", "schedules.ingest.cron", "  ingest: {"),
              ("an unknown key under artifact.oci", "artifact.oci.entry_point", "  oci: {"),
          ])
    func badManifest(_ what: String, field: String, lineStart: String) throws {
        let f = try AutomationFixture()
        let before = try hekatonctl(["competition", "list", "--json"], socket: f.socket)
        try #require(before.status == 0)
        let directory = f.root.appendingPathComponent("competitions/broken")
        try f.addCompetition(name: "broken", at: directory, source: f.source) { text in
            switch field {
            case "schedules.ingest":
                return text.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("  source:") && !$0.hasPrefix("    directory:") }.joined(separator: "\n")
            case "schedules.ingest.cron":
                return text.replacingOccurrences(of: "ingest: {cron: \"0 4 * * *\"", with: "ingest: {cron: \"0 0 30 2 *\"")
            default:
                return text + "  oci: {base: /nonexistent/base, entry_point: [/bin/sh]}\n"
            }
        }
        let manifest = directory.appendingPathComponent("hekaton.yaml")
        let lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix(lineStart) }) + 1

        let published = try f.publish(directory)
        #expect(published.status != 0, "\(what) was published")
        #expect(published.stderr.contains("hekaton.yaml:\(line)"), "\(what): \(published.stderr)")
        #expect(published.stderr.contains("'\(field)'"), "\(what): \(published.stderr)")
        let after = try hekatonctl(["competition", "list", "--json"], socket: f.socket)
        #expect(after.stdout == before.stdout, "nothing was published")
        #expect(try f.schedule("pococha.ingest").name == "pococha.ingest")
        #expect(try hekatonctl(["schedule", "show", "broken.ingest"], socket: f.socket).status != 0, "no schedule was made")
        try f.daemon.expectHealthyStore()
    }

    @Test("promote with a model of another competition or garbage, rollback with nothing to go back to, a bad --logical-time: clear errors, nothing changed")
    func badCommands() throws {
        let f = try AutomationFixture()
        let other = f.root.appendingPathComponent("competitions/other")
        try f.addCompetition(name: "other", at: other, source: f.source)
        try #require(try f.publish(other).status == 0)
        try f.suspendSchedule("other.ingest")
        try f.suspendSchedule("other.artifact")
        try f.ingestDay("2026-12-01")
        let champion = try f.submitScored(AutomationFixture.examples.appendingPathComponent("submissions/popularity"))
        let production = try #require(try f.status().competitions.first { $0.competition == "pococha" }?.production)
        let model = production.model
        let promotionsBefore = try f.history().promotions
        let otherBefore = try f.history("other").promotions
        let jobsBefore = try f.jobs().map(\.id)
        let ingestBefore = try f.schedule("pococha.ingest")

        let cases: [(arguments: [String], evidence: String)] = [
            (["promote", "other", "\(model)"], "was not trained for 'other'"),
            (["promote", "other", "#\(champion.id)"], "is not a submission of 'other'"),
            (["promote", "pococha", "no-such-model!"], "names no model"),
            (["promote", "pococha", "sha256:0123456789abcdef"], "no model of 'pococha'"),
            (["promote", "pococha", "987654"], "model 987654 was not trained for 'pococha'"),
            (["promote", "pococha", "\(model)"], "already the production model"),
            (["promote", "nosuch", "\(model)"], "no competition named 'nosuch'"),
            (["rollback", "pococha"], "nothing to roll back to"),
            (["rollback", "other"], "no production model to roll back"),
            (["schedule", "run", "pococha.ingest", "--logical-time", "yesterday"], "is not an RFC 3339 instant"),
            (["schedule", "run", "pococha.ingest", "--logical-time", "2026-02-30T04:00:00+09:00"], "is not an RFC 3339 instant"),
        ]
        for c in cases {
            let result = try hekatonctl(c.arguments, socket: f.socket)
            #expect(result.status != 0, "\(c.arguments) succeeded: \(result.stdout)")
            #expect(result.stderr.contains(c.evidence), "\(c.arguments): \(result.stderr)")
        }
        // The daemon refuses a bad instant too, whatever the client.
        #expect(throws: (any Error).self) {
            try f.daemon.client.call("POST", "/v1/schedules/pococha.ingest/run", body: ScheduleRunRequest(logicalTime: "yesterday"),
                                     as: ScheduleInfo.self)
        }

        #expect(try f.history().promotions == promotionsBefore, "production of pococha unchanged")
        #expect(try f.history("other").promotions == otherBefore, "other still has no production")
        #expect(try f.status().competitions.first { $0.competition == "pococha" }?.production == production)
        #expect(try f.jobs().map(\.id) == jobsBefore, "no job was fired")
        let ingestAfter = try f.schedule("pococha.ingest")
        #expect(ingestAfter.lastJobID == ingestBefore.lastJobID)
        #expect(ingestAfter.lastFireAt == ingestBefore.lastFireAt)
        try f.daemon.expectHealthyStore()
    }

    @Test("A rollback while a round retrains: the round does not promote over it, production stays what the person chose")
    func rollbackDuringRound() throws {
        let f = try AutomationFixture()
        try f.ingestDay("2026-12-01")
        // Two equal participants: whichever is the champion trains slowly on the marked version.
        var ids: [Int64] = []
        for label in ["slow-a", "slow-b"] {
            ids.append(try f.submitScored(try f.participant(label, trainPrelude: AutomationFixture.slowTraining(tag: label))).id)
        }
        let promoted = try hekatonctl(["promote", "pococha", "#\(ids[1])", "--json"], socket: f.socket)
        try #require(promoted.status == 0, "\(promoted.stderr)")
        try f.ingestDay("2026-12-02", markers: ["train/SLOW"])
        var trainJob: Int64?
        try waitUntil("the champion's retrain to exist", timeout: .seconds(30), poll: .milliseconds(100)) {
            trainJob = try f.allSubmissions().first { $0.kind == "retrain" }?.jobs["train"]
            return trainJob != nil
        }
        try f.waitForTraining(trainJob!)
        let rolledBack = try hekatonctl(["rollback", "pococha", "--reason", "b misbehaves", "--json"], socket: f.socket)
        try #require(rolledBack.status == 0, "\(rolledBack.stderr)")
        let chosen = try JSONDecoder().decode(PromotionInfo.self, from: Data(rolledBack.stdout.utf8))
        #expect(chosen.submission == ids[0])

        let history = try f.roundsDecided()
        let round = try #require(history.rows.last?.rounds.last)
        #expect(round.members.first { $0.kind == "retrain" }?.state == "scored")
        #expect(round.state == "kept", "\(round.decision ?? "")")
        #expect(round.decision?.contains("production changed while the round ran") == true, "\(round.decision ?? "")")
        #expect(history.promotions.map(\.kind) == ["initial", "promote", "rollback"])
        #expect(try f.status().competitions.first?.production?.id == chosen.id, "production stays what the person chose")
        try f.daemon.expectHealthyStore()
    }

    @Test("A backfill that the overlap policy skips exits non-zero at once, instead of reporting the running job's end as its own")
    func skippedBackfill() throws {
        let (f, held) = try AutomationFixture.withHeldSource()
        let fired = try hekatonctl(["schedule", "run", "pococha.ingest", "--logical-time", Self.day1], socket: f.socket)
        try #require(fired.status == 0, "\(fired.stderr)")
        let running = try #require(try f.schedule("pococha.ingest").lastJobID)
        try waitUntil("the source command to start", timeout: .seconds(120)) { held.runs == ["2026-12-01"] }
        // Only so that a `--wait` that waits for the held job anyway cannot hang the test.
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) { try? held.release() }

        let skipped = try f.run("ingest", at: Self.day2)
        #expect(skipped.status != 0, "\(skipped.stdout)")
        #expect(skipped.stderr.contains("skipped-overlap"), "\(skipped.stderr)")
        #expect(skipped.stderr.contains("job \(running)"), "\(skipped.stderr)")
        #expect(FileManager.default.fileExists(atPath: held.hold), "it did not wait for the held job")
        let events = try f.schedule("pococha.ingest").events ?? []
        #expect(events.map(\.kind) == ["skipped-overlap", "manual"], "newest first: \(events)")

        try? held.release()
        var job = try f.job(running)
        try waitUntil("the held ingestion to end", timeout: .seconds(60), poll: .milliseconds(100)) {
            job = try f.job(running)
            return job.state == "succeeded" || job.state == "dead"
        }
        #expect(job.state == "succeeded", "\(job.error ?? "")")
        #expect(try f.jobs().filter { $0.schedule == "pococha.ingest" }.map(\.id) == [running], "day 2 was never run")
        #expect(try f.versions() == ["2026-12-01"])
        try f.daemon.expectHealthyStore()
    }
}
