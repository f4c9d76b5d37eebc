import ArgumentParser
import ControlAPI
import ControlClient
import Cron
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct JobCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "job",
            abstract: "The durable job queue: submit, list, show, logs, cancel, retry.",
            discussion: """
            A job is a command the daemon runs as a child process in its own process group, \
            with its output in a log file. States: waiting (for jobs it depends on), queued, \
            running, succeeded, failed (a retry is pending), dead (no attempts left), \
            cancelled, upstream-failed. Submitting raw commands is for hosts.
            """,
            subcommands: [Submit.self, List.self, Show.self, Logs.self, Cancel.self, Retry.self]
        )
    }
}

extension Hekatonctl.JobCommand {
    struct Submit: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "submit",
            abstract: "Enqueue a command.",
            discussion: """
            Examples:
              hekatonctl job submit -- /usr/bin/python3 train.py --epochs 3
              hekatonctl job submit --queue gpu --timeout 2h --max-attempts 3 --unique-key nightly-2026-11-29 -- ./nightly.sh
              hekatonctl job submit --after 41 --after 42 -- ./report.sh
            """
        )

        @OptionGroup var connection: ClientOptions
        @Option(help: "Queue name; each queue has its own concurrency limit.") var queue: String?
        @Option(help: "Higher runs first.") var priority: Int?
        @Option(help: ArgumentHelp("Wall-time limit, like 90s, 10m, 2h.", valueName: "duration")) var timeout: String?
        @Option(help: "Attempts before the job is dead (retries back off exponentially).") var maxAttempts: Int?
        @Option(help: ArgumentHelp("Enqueueing the same key while a job with it is pending or running returns that job.", valueName: "key"))
        var uniqueKey: String?
        @Option(name: .customLong("after"), help: ArgumentHelp("Run only after this job succeeded (repeatable).", valueName: "job"))
        var after: [Int64] = []
        @Option(name: .customLong("label"), help: ArgumentHelp("A label KEY=VALUE (repeatable).", valueName: "key=value"))
        var labels: [String] = []
        @Option(name: .customLong("env"), help: ArgumentHelp("An environment variable NAME=VALUE for the job (repeatable).", valueName: "name=value"))
        var environment: [String] = []
        @Option(help: ArgumentHelp("Working directory (default: the current one).", valueName: "dir")) var cwd: String?
        @OptionGroup var format: OutputOptions<JobJSON>
        @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw ValidationError("give the command after --, like: hekatonctl job submit -- /bin/echo hello") }
            if let timeout, DurationText.seconds(timeout) == nil { throw ValidationError("--timeout '\(timeout)' is not a duration; write it like 90s, 10m or 2h") }
            if let maxAttempts, maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
            for pair in labels + environment where !pair.contains("=") {
                throw ValidationError("'\(pair)' is not KEY=VALUE")
            }
        }

        func run(client: ControlClient, output: Output) throws {
            let request = JobSubmitRequest(
                argv: command, environment: environment.isEmpty ? nil : Self.pairs(environment),
                workingDirectory: cwd ?? FileManager.default.currentDirectoryPath, queue: queue, priority: priority,
                timeoutSeconds: timeout.flatMap(DurationText.seconds), maxAttempts: maxAttempts, uniqueKey: uniqueKey,
                after: after.isEmpty ? nil : after, labels: labels.isEmpty ? nil : Self.pairs(labels))
            let job: JobInfo = try client.call("POST", "/v1/jobs", body: request)
            if output == .json { try printJSON(job); return }
            if job.existing == true {
                print("job \(job.id) already exists with unique key '\(job.uniqueKey ?? "")' (\(job.state))")
            } else {
                print("job \(job.id) \(job.state)")
            }
        }

        static func pairs(_ items: [String]) -> [String: String] {
            Dictionary(items.map { item in
                let parts = item.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { _, last in last })
        }
    }

    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")
        @OptionGroup var connection: ClientOptions
        @Option(help: "Only jobs in this state.") var state: String?
        @Option(help: "Only jobs of this queue.") var queue: String?
        @Option(help: "At most this many.") var limit = 50
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            var query: [String] = ["limit=\(limit)"]
            if let state { query.append("state=\(state)") }
            if let queue { query.append("queue=\(queue)") }
            let list: JobList = try client.call("GET", "/v1/jobs?" + query.joined(separator: "&"))
            if output == .json { try printJSON(list); return }
            if list.jobs.isEmpty { print("no jobs"); return }
            var table = TextTable(["ID", "STATE", "QUEUE", "ATTEMPT", "CREATED", "COMMAND"])
            for job in list.jobs {
                table.add(["\(job.id)", job.state, job.queue, "\(job.attempt)/\(job.maxAttempts)", job.createdAt,
                           job.argv.joined(separator: " ").truncated(60)])
            }
            print(table.render())
        }
    }

    struct Show: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job: state, attempts, exit status, resource usage.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The job's id.") var id: Int64
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let job: JobInfo = try client.call("GET", "/v1/jobs/\(id)")
            if output == .json { try printJSON(job); return }
            var lines: [(String, String)] = [
                ("job", "\(job.id)"), ("state", job.state), ("queue", job.queue), ("priority", "\(job.priority)"),
                ("command", job.argv.joined(separator: " ")), ("attempt", "\(job.attempt) of \(job.maxAttempts)"),
                ("created", job.createdAt),
            ]
            if let cwd = job.workingDirectory { lines.append(("directory", cwd)) }
            if let key = job.uniqueKey { lines.append(("unique key", key)) }
            if !job.dependsOn.isEmpty { lines.append(("after", job.dependsOn.map(String.init).joined(separator: ", "))) }
            if let schedule = job.schedule { lines.append(("schedule", schedule)) }
            if let notBefore = job.notBefore { lines.append(("not before", notBefore)) }
            if let started = job.startedAt { lines.append(("started", started)) }
            if let finished = job.finishedAt { lines.append(("finished", finished)) }
            if let status = job.exitStatus { lines.append(("exit status", "\(status)")) }
            if let signal = job.signal { lines.append(("signal", "\(signal)")) }
            if let wall = job.wallSeconds {
                lines.append(("time", "\(Format.seconds(wall)) wall, \(Format.seconds(job.userSeconds ?? 0)) user, \(Format.seconds(job.systemSeconds ?? 0)) system"))
            }
            if let peak = job.peakMemoryBytes { lines.append(("peak memory", Format.bytes(peak))) }
            if let share = job.share { lines.append(("share", share)) }
            if let executor = job.executor { lines.append(("executor", executor + (job.externalID.map { " (id \($0))" } ?? ""))) }
            if let state = job.clusterState { lines.append(("cluster state", state + (job.clusterDetail.map { ": \($0)" } ?? ""))) }
            if let error = job.error { lines.append(("error", error)) }
            for (key, value) in job.labels.sorted(by: { $0.key < $1.key }) { lines.append(("label", "\(key)=\(value)")) }
            let width = lines.map(\.0.count).max() ?? 0
            for (key, value) in lines { print(key.padded(to: width) + "  " + value) }
        }
    }

    struct Logs: DaemonCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a job's output (stdout and stderr).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The job's id.") var id: Int64
        @Flag(name: .shortAndLong, help: "Keep printing new output until the job ends.") var follow = false

        func run(client: ControlClient, output: Output) throws {
            let path = "/v1/jobs/\(id)/logs" + (follow ? "?follow=true" : "")
            try client.stream("GET", path) { chunk in
                Terminal.write(chunk)
            }
        }
    }

    struct Cancel: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job; a running one gets SIGTERM, then SIGKILL after a grace period.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The job's id.") var id: Int64
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws { try postJobVerb(client, id: id, verb: "cancel", output: output) }
    }

    struct Retry: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a dead, cancelled or upstream-failed job again with fresh attempts.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The job's id.") var id: Int64
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws { try postJobVerb(client, id: id, verb: "retry", output: output) }
    }
}

extension String {
    func truncated(_ length: Int) -> String {
        count <= length ? self : String(prefix(length - 1)) + "…"
    }
}

/// cancel and retry: a verb on one job, answered with the job.
private func postJobVerb(_ client: ControlClient, id: Int64, verb: String, output: Output) throws {
    let job: JobInfo = try client.call("POST", "/v1/jobs/\(id)/\(verb)")
    if output == .json { try printJSON(job) } else { print("job \(job.id) \(job.state)") }
}
