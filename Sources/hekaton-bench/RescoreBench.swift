import ArgumentParser
import ControlAPI
import ControlClient
import Foundation
import TestSupport

extension HekatonBench {
    /// What re-scoring the leaderboard costs on one new version of the Pococha data, beside
    /// what retraining the same entries would: a real hekatond, N participants (system users)
    /// each with one entry (the example's popularity, item-kNN and matrix-factorization
    /// submissions in turn), one more day of data, and the jobs' own accounting (wall time,
    /// and user plus system CPU as `wait4` reported it for the sandboxed process tree).
    struct RescoreBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rescore",
            abstract: "The cost of re-scoring N leaderboard entries on a new Pococha dataset version, beside retraining them.",
            discussion: """
            Needs root (it makes the users hekaton-bench-1 … hekaton-bench-N, once, and submits \
            as them) and runs from the repository (examples/pococha). For each N it starts a \
            hekatond of its own on environments without images, publishes the example with \
            rescore.top 50, scores N entries on day 1, registers day 2 and waits for the \
            re-scoring. Re-scoring an entry is its predict and score stages; retraining it \
            would be its train, predict and score stages, measured on day 1.
            """)

        @Option(help: "Entry counts to measure, comma-separated (each 1 to 50).")
        var entries = "5,10,25,50"

        @Option(help: "Listeners in each day's generated data (the example's default).")
        var listeners = 2000

        @Option(help: "Livers in each day's generated data.")
        var livers = 300

        @Option(help: ArgumentHelp("The example competition's directory.", valueName: "path"))
        var example = "examples/pococha"

        @Option(help: ArgumentHelp("The hekatond to start (default: the one beside this program).", valueName: "path"))
        var hekatond: String?

        func counts() throws -> [Int] {
            let counts = entries.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !counts.isEmpty, counts.allSatisfy({ (1...50).contains($0) }) else {
                throw ValidationError("--entries takes counts from 1 to 50, comma-separated, like 5,10,25,50")
            }
            return counts
        }

        func validate() throws {
            _ = try counts()
            guard (10...100_000).contains(listeners), (10...10_000).contains(livers) else {
                throw ValidationError("--listeners must be 10 to 100000 and --livers 10 to 10000")
            }
            guard getuid() == 0 else { throw ValidationError("run as root: the bench makes one system user per entry and submits as each") }
            guard FileManager.default.fileExists(atPath: example + "/generate.py") else {
                throw ValidationError("\(example)/generate.py does not exist; run from the repository or pass --example")
            }
        }

        func run() throws {
            let directory = CtlBench.programDirectory()
            let bench = RescoreRun(hekatond: hekatond ?? directory + "/hekatond", hekatonctl: directory + "/hekatonctl",
                                   example: URL(fileURLWithPath: example).standardizedFileURL.path, listeners: listeners, livers: livers)
            print("re-scoring N entries on one new dataset version (\(listeners) listeners, \(livers) livers), beside retraining them")
            print("entries  rescore makespan  rescore CPU  CPU/entry  wall/entry | retrain CPU/entry  wall/entry  | CPU ratio")
            for count in try counts() {
                let cost = try bench.measure(entries: count)
                print(String(format: "%7d  %14.1f s  %9.1f s  %7.2f s  %8.2f s | %15.2f s  %8.2f s  | %8.1fx",
                             count, cost.makespan, cost.rescoreCPU, cost.rescoreCPU / Double(count), cost.rescoreWall / Double(count),
                             cost.retrainCPU / Double(count), cost.retrainWall / Double(count), cost.retrainCPU / max(cost.rescoreCPU, 1e-9)))
            }
            print("makespan: first re-scoring job's start to the last one's end, the daemon's slots running them side by side")
        }
    }
}

/// One measurement: a daemon, N entries, one new version.
struct RescoreRun {
    let hekatond: String
    let hekatonctl: String
    let example: String
    let listeners: Int
    let livers: Int

    struct Cost {
        var makespan: Double
        var rescoreCPU: Double
        var rescoreWall: Double
        var retrainCPU: Double
        var retrainWall: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func measure(entries: Int) throws -> Cost {
        let daemon = try StartedDaemon.start(hekatond, configuration: "socket_mode: \"0666\"\n") { [hekatonctl, "status", "--socket", $0] }
        defer { daemon.stop() }
        let root = daemon.directory
        // Readable by the participants: the submissions and the client they submit with.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        let shared = root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: example + "/submissions", toPath: shared + "/submissions")
        try FileManager.default.copyItem(atPath: hekatonctl, toPath: shared + "/hekatonctl")
        _ = try run("/bin/chmod", ["-R", "a+rX", shared])

        for day in ["2026-11-28", "2026-11-29"] {
            _ = try run("/usr/bin/env", ["python3", example + "/generate.py", "--day", day, "--out", root + "/data-" + day,
                                         "--listeners", "\(listeners)", "--livers", "\(livers)"])
        }
        _ = try ctl(daemon, ["dataset", "register", "pococha-daily", "--tag", "2026-11-28", root + "/data-2026-11-28"])
        try FileManager.default.copyItem(atPath: example + "/competition", toPath: root + "/competition")
        let manifest = root + "/competition/hekaton.yaml"
        try ExampleManifest.onVirtualEnvironments(String(contentsOfFile: manifest, encoding: .utf8)).appending("\nrescore: {top: 50}\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        _ = try ctl(daemon, ["competition", "publish", root + "/competition"])

        let examples = ["popularity", "itemknn", "mf"]
        var ids: [Int64] = []
        for index in 1...entries {
            let user = "hekaton-bench-\(index)"
            if (try? run("/usr/bin/id", ["-u", user])) == nil {
                _ = try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
            }
            let name = examples[(index - 1) % examples.count]
            let output = try run("/usr/sbin/runuser", ["-u", user, "--", "env", "HEKATON_SOCKET=\(daemon.socketPath)", shared + "/hekatonctl",
                                                       "submit", "--competition", "pococha", "--tag", name, "--json", shared + "/submissions/" + name])
            ids.append(try JSONDecoder().decode(SubmissionInfo.self, from: Data(output.utf8)).id)
        }
        let client = ControlClient(socketPath: daemon.socketPath)
        let final: Set<String> = ["scored", "failed", "cancelled"]
        try waitFor("the \(entries) entries to be scored", client) { all in
            ids.allSatisfy { id in all.contains { $0.id == id && final.contains($0.state) } }
        }
        _ = try ctl(daemon, ["dataset", "register", "pococha-daily", "--tag", "2026-11-29", root + "/data-2026-11-29"])
        var rescores: [SubmissionInfo] = []
        try waitFor("the entries' re-scoring on day 2", client) { all in
            rescores = all.filter { $0.kind == "rescore" }
            return rescores.count == entries && rescores.allSatisfy { final.contains($0.state) }
        }
        guard rescores.allSatisfy({ $0.state == "scored" }) else {
            throw Failure(description: "a re-scoring failed: \(rescores.map { "#\($0.id) \($0.state) \($0.error ?? "")" })")
        }
        let originals = try submissions(client).filter { ids.contains($0.id) }
        func jobs(_ of: [SubmissionInfo], _ stages: [String]) throws -> [JobInfo] {
            try of.flatMap { submission in
                try stages.compactMap { submission.jobs[$0] }.map { try client.call("GET", "/v1/jobs/\($0)", as: JobInfo.self) }
            }
        }
        let rescoreJobs = try jobs(rescores, ["predict", "score"])
        let retrainJobs = try jobs(originals, ["train", "predict", "score"])
        func cpu(_ jobs: [JobInfo]) -> Double { jobs.map { ($0.userSeconds ?? 0) + ($0.systemSeconds ?? 0) }.reduce(0, +) }
        func wall(_ jobs: [JobInfo]) -> Double { jobs.map { $0.wallSeconds ?? 0 }.reduce(0, +) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let starts = rescoreJobs.compactMap { $0.startedAt.flatMap(formatter.date) }
        let ends = rescoreJobs.compactMap { $0.finishedAt.flatMap(formatter.date) }
        guard let first = starts.min(), let last = ends.max() else { throw Failure(description: "the re-scoring jobs carry no times") }
        return Cost(makespan: last.timeIntervalSince(first), rescoreCPU: cpu(rescoreJobs), rescoreWall: wall(rescoreJobs),
                    retrainCPU: cpu(retrainJobs), retrainWall: wall(retrainJobs))
    }

    func ctl(_ daemon: StartedDaemon, _ arguments: [String]) throws -> String {
        try run(hekatonctl, arguments + ["--socket", daemon.socketPath])
    }

    /// Every submission, the daemon's re-scorings included.
    func submissions(_ client: ControlClient) throws -> [SubmissionInfo] {
        try client.call("GET", "/v1/submissions?competition=pococha&kind=all", as: SubmissionList.self).submissions
    }

    /// Polls the submissions until `done` holds, for up to an hour.
    func waitFor(_ what: String, _ client: ControlClient, done: ([SubmissionInfo]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(3600)
        while Date() < deadline {
            if done(try submissions(client)) { return }
            usleep(500_000)
        }
        throw Failure(description: "timed out waiting for \(what)")
    }

    /// Runs a program to its end; its standard output, or an error with its standard error.
    func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(([program] + arguments).joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
