import ControlAPI
import ControlClient
import Foundation
import Testing

/// The automation loop with the real daemon: each day the Pococha source writes new data,
/// ingestion makes a version, the champion is retrained and promoted or kept by the
/// tolerance, the nightly artifact is rebuilt from the production model (as an OCI image
/// too), and its lineage leads back to that day's data and the champion's code.
@Suite("The automation loop end to end", .serialized)
struct AutomationEndToEndTests {
    static let root = BuiltProducts.packageRoot
    static let examples = root.appendingPathComponent("examples/pococha")

    /// The example competition with a small world, a periodic retrain schedule and an OCI
    /// base image built from Debian's busybox-static.
    func automatedDaemon() throws -> (DaemonUnderTest, URL) {
        let daemon = try DaemonUnderTest()
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        let base = daemon.root.appendingPathComponent("busybox-base")
        let built = try runCommand(Self.root.appendingPathComponent("scripts/busybox-base-image").path, [base.path])
        try #require(built.status == 0, "\(built.stderr)")
        let manifest = competition.appendingPathComponent("hekaton.yaml")
        var text = try String(contentsOf: manifest, encoding: .utf8)
        text = text.replacingOccurrences(of: "parameters:\n  k: 10\n",
                                         with: "parameters:\n  k: 10\n  world: {listeners: 200, livers: 50}\n")
        text = text.replacingOccurrences(of: "  artifact: {cron: \"0 5 * * *\", time_zone: Asia/Tokyo}\n",
                                         with: "  artifact: {cron: \"0 5 * * *\", time_zone: Asia/Tokyo}\n  retrain: {cron: \"0 3 * * 1,4\", time_zone: Asia/Tokyo}\n")
        text += "  oci: {base: \(base.path), prefix: artifact, entrypoint: [/bin/sh], port: 8080}\n"
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let published = try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath)
        try #require(published.status == 0, "\(published.stderr)")
        // Driven by `schedule run --logical-time` below, not by the wall clock.
        for task in ["ingest", "artifact", "retrain"] {
            try #require(try hekatonctl(["schedule", "suspend", "pococha.\(task)"], socket: daemon.socketPath).status == 0)
        }
        return (daemon, competition)
    }

    func run(_ schedule: String, at instant: String, _ daemon: DaemonUnderTest) throws -> CommandResult {
        try hekatonctl(["schedule", "run", schedule, "--logical-time", instant, "--wait"], socket: daemon.socketPath)
    }

    func status(_ daemon: DaemonUnderTest) throws -> StatusResponse {
        try daemon.client.call("GET", "/v1/status", as: StatusResponse.self)
    }

    func history(_ daemon: DaemonUnderTest) throws -> HistoryResponse {
        try daemon.client.call("GET", "/v1/competitions/pococha/history", as: HistoryResponse.self)
    }

    /// Waits until no round of the competition is running.
    func roundsDecided(_ daemon: DaemonUnderTest) throws -> HistoryResponse {
        var last: HistoryResponse?
        try waitUntil("the retraining rounds to be decided", timeout: .seconds(300), poll: .milliseconds(200)) {
            last = try history(daemon)
            return last!.rows.allSatisfy { $0.rounds.allSatisfy { $0.state != "running" } }
        }
        return last!
    }

    @Test("New data → a version → the champion retrained → promoted or kept by the tolerance → the artifact from production, traced to the day's data and the champion's code")
    func loop() throws {
        let (daemon, _) = try automatedDaemon()
        defer { daemon.stop() }
        let schedules = try hekatonctl(["schedule", "list"], socket: daemon.socketPath).stdout
        for name in ["pococha.ingest", "pococha.artifact", "pococha.retrain"] { #expect(schedules.contains(name)) }

        // Day 1: the first version, tagged with the day in the schedule's zone.
        let first = try run("pococha.ingest", at: "2026-12-01T04:00:00+09:00", daemon)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        var ingestion = try #require(try status(daemon).ingestions.first)
        #expect(ingestion.outcome == "new-version")
        #expect(ingestion.datasetVersion == "pococha-daily@2026-12-01")

        // A participant's submission is scored on it and becomes the first production model.
        let submitted = try hekatonctl(["submit", "--competition", "pococha", "--tag", "popularity", "--json",
                                        Self.examples.appendingPathComponent("submissions/popularity").path], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let champion = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8))
        var ended = champion
        try waitUntil("the submission to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
            ended = try daemon.client.call("GET", "/v1/submissions/\(champion.id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(ended.state)
        }
        try #require(ended.state == "scored", "\(ended.error ?? "") \(ended.logTail ?? "")")
        let initial = try #require(try status(daemon).competitions.first?.production)
        #expect(initial.kind == "initial")
        #expect(initial.submission == champion.id)

        // The same day again: the same bytes, no new version.
        #expect(try run("pococha.ingest", at: "2026-12-01T04:00:00+09:00", daemon).status == 0)
        ingestion = try #require(try status(daemon).ingestions.first)
        #expect(ingestion.outcome == "unchanged")
        #expect(try history(daemon).rows.map(\.datasetVersion) == ["2026-12-01"])

        // Day 2: a new version retrains the champion and evaluates production on the same data.
        #expect(try run("pococha.ingest", at: "2026-12-02T04:00:00+09:00", daemon).status == 0)
        let decided = try roundsDecided(daemon)
        #expect(decided.rows.map(\.datasetVersion) == ["2026-12-01", "2026-12-02"])
        let round = try #require(decided.rows.last?.rounds.last)
        #expect(round.trigger == "ingest")
        let retrain = try #require(round.members.first { $0.kind == "retrain" })
        #expect(retrain.source == champion.id)
        #expect(retrain.state == "scored", "\(retrain.error ?? "")")
        let evaluation = try #require(round.members.first { $0.kind == "evaluate" })
        #expect(evaluation.source == champion.id)
        let best = try #require(round.bestScore)
        let production = try #require(round.productionScore)
        // maximize: promoted exactly when the retrained model is not worse by more than the tolerance
        let expected = production - best > decided.tolerance ? "kept" : "promoted"
        #expect(round.state == expected, "\(round.decision ?? "")")
        let afterRound = try #require(try status(daemon).competitions.first?.production)
        #expect(afterRound.model == (expected == "promoted" ? try #require(round.bestModel) : initial.model))

        // The retrains stay off the leaderboard.
        let board = try daemon.client.call("GET", "/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self)
        #expect(board.entries.map(\.submission) == [champion.id])

        // The periodic retrain finds the champion already trained on the latest version.
        #expect(try hekatonctl(["schedule", "run", "pococha.retrain", "--wait"], socket: daemon.socketPath).status == 0)
        let periodic = try #require(try roundsDecided(daemon).rows.last?.rounds.last)
        #expect(periodic.trigger == "schedule")
        #expect(periodic.state == "skipped", "\(periodic.decision ?? "")")

        // A better submission, scored on the latest version, competes with production as it
        // is at the next periodic retrain: nothing to train, production evaluated if need be.
        let better = try hekatonctl(["submit", "--competition", "pococha", "--tag", "mf", "--json",
                                     Self.examples.appendingPathComponent("submissions/mf").path], socket: daemon.socketPath)
        try #require(better.status == 0, "\(better.stderr)")
        let challenger = try JSONDecoder().decode(SubmissionInfo.self, from: Data(better.stdout.utf8))
        var scoredChallenger = challenger
        try waitUntil("the challenger to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
            scoredChallenger = try daemon.client.call("GET", "/v1/submissions/\(challenger.id)", as: SubmissionInfo.self)
            return ["scored", "failed", "cancelled"].contains(scoredChallenger.state)
        }
        try #require(scoredChallenger.state == "scored", "\(scoredChallenger.error ?? "")")
        #expect(scoredChallenger.datasetVersion == "pococha-daily@2026-12-02")
        // Both scored on the same version: the new champion replaces production at once if better.
        let productionOnV2 = try #require(expected == "promoted" ? round.bestScore : round.productionScore)
        let challengerScore = try #require(scoredChallenger.score)
        let challengerPromoted = challengerScore > productionOnV2
        let current = try #require(try status(daemon).competitions.first?.production)
        if challengerPromoted {
            #expect(current.submission == challenger.id)
            #expect(current.kind == "automatic", "\(current.reason)")
        } else {
            #expect(current.model == afterRound.model)
        }
        // The next periodic retrain finds nothing to train or compare.
        #expect(try hekatonctl(["schedule", "run", "pococha.retrain", "--wait"], socket: daemon.socketPath).status == 0)
        let contest = try #require(try roundsDecided(daemon).rows.last?.rounds.last)
        #expect(contest.trigger == "schedule")
        #expect(contest.members.allSatisfy { $0.kind == "evaluate" }, "nothing is retrained")
        if challengerPromoted { #expect(contest.state == "skipped", "\(contest.decision ?? "")") }

        // The nightly artifact, from the production model, as files and as an OCI image.
        let nightly = try run("pococha.artifact", at: "2026-12-02T05:00:00+09:00", daemon)
        #expect(nightly.status == 0, "\(nightly.stdout)\(nightly.stderr)")
        let artifact = try #require(try status(daemon).competitions.first?.lastArtifact)
        #expect(artifact.state == "succeeded", "\(artifact.error ?? "")")
        #expect(artifact.model == current.model)
        #expect(artifact.datasetVersion == "pococha-daily@2026-12-02")
        #expect(artifact.ociReference == "2026-12-02")
        let latest = daemon.root.appendingPathComponent("state/artifacts/pococha/latest")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest.path) == "\(artifact.job)")
        let recommendations = try String(contentsOf: latest.appendingPathComponent("files/recommendations.jsonl"), encoding: .utf8)
        #expect(recommendations.split(separator: "\n").count > 10)
        #expect(FileManager.default.fileExists(atPath: latest.appendingPathComponent("files/serving/server.py").path))
        let image = "oci:" + latest.appendingPathComponent("oci").path + ":2026-12-02"
        let inspected = try runCommand("/usr/bin/skopeo", ["inspect", image])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.contains(artifact.digest ?? "missing"), "the image's labels name the artifact")
        #expect(inspected.stdout.contains("\"dev.hekaton.dataset-version\": \"pococha-daily@2026-12-02\""), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("\"dev.hekaton.model\": \"\(current.modelDigest ?? "missing")\""), "\(inspected.stdout)")
        let stat = try runCommand("/usr/bin/umoci", ["stat", "--image", latest.appendingPathComponent("oci").path + ":2026-12-02"])
        #expect(stat.status == 0, "\(stat.stderr)")
        let bundle = daemon.root.appendingPathComponent("unpacked")
        let unpacked = try runCommand("/usr/bin/umoci", ["unpack", "--image", latest.appendingPathComponent("oci").path + ":2026-12-02", bundle.path])
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        #expect(try String(contentsOf: bundle.appendingPathComponent("rootfs/artifact/recommendations.jsonl"), encoding: .utf8) == recommendations)
        #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("rootfs/bin/busybox").path))

        // Its lineage: the day's dataset version and the champion's code bundle.
        let lineageID = try #require(artifact.lineageArtifact)
        let lineage = try hekatonctl(["lineage", "artifact:\(lineageID)", "--format", "json"], socket: daemon.socketPath)
        #expect(lineage.status == 0, "\(lineage.stderr)")
        #expect(lineage.stdout.contains("2026-12-02"))
        let source = try daemon.client.call("GET", "/v1/submissions/\(current.submission)", as: SubmissionInfo.self)
        #expect(lineage.stdout.contains(source.bundleDigest), "the production model's code")

        // A person rolls production back and promotes again; both are recorded with who.
        let rolledBack = try hekatonctl(["rollback", "pococha", "--reason", "checking", "--json"], socket: daemon.socketPath)
        if expected == "promoted" || challengerPromoted {
            #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
            let info = try JSONDecoder().decode(PromotionInfo.self, from: Data(rolledBack.stdout.utf8))
            #expect(info.model == (challengerPromoted ? afterRound.model : initial.model))
            #expect(info.kind == "rollback")
            #expect(info.actor == "root")
        } else {
            #expect(rolledBack.status != 0, "nothing to roll back to after the initial promotion")
        }
        let before = try status(daemon).competitions.first?.production?.submission
        let promoted = try hekatonctl(["promote", "pococha", "#\(retrain.submission)", "--json"], socket: daemon.socketPath)
        if before == retrain.submission {
            #expect(promoted.status != 0, "already production")
        } else {
            #expect(promoted.status == 0, "\(promoted.stderr)")
            let info = try JSONDecoder().decode(PromotionInfo.self, from: Data(promoted.stdout.utf8))
            #expect(info.submission == retrain.submission)
            #expect(info.kind == "promote")
            #expect(info.actor == "root")
        }
        let table = try hekatonctl(["history", "pococha"], socket: daemon.socketPath)
        #expect(table.status == 0)
        #expect(table.stdout.contains("2026-12-02"))
        #expect(table.stdout.contains("#\(champion.id)→#\(retrain.submission)"))
        let dashboard = try hekatonctl(["status"], socket: daemon.socketPath)
        #expect(dashboard.stdout.contains("competition pococha"))
        #expect(dashboard.stdout.contains("production  model"))
        try daemon.expectHealthyStore()
    }
}
