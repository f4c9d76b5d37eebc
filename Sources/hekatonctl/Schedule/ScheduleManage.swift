import ArgumentParser
import ControlAPI
import ControlClient
import Cron
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl.ScheduleCommand {
    struct Add: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a named cron schedule that enqueues a command.",
            discussion: """
            Overlap: allow starts a new job even if the last one still runs; forbid (the \
            default) skips the fire and records the skip; replace cancels the running job first.
            Catch-up: after the daemon was down, once fires a single job for everything missed \
            (unless --deadline has passed since the missed time); none fires nothing.

            Example:
              hekatonctl schedule add nightly --cron '0 2 * * *' --tz Europe/Berlin --deadline 1h -- /usr/local/bin/nightly.sh
            """
        )

        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name (letters, digits, '.', '_', '-').") var name: String
        @Option(help: "The cron expression (see `hekatonctl schedule next --help`).") var cron: String
        @Option(help: ArgumentHelp("IANA time zone (default: the daemon's).", valueName: "zone")) var tz: String?
        @Option(help: "What a fire does while the last job still runs.") var overlap = Overlap.forbid
        @Option(help: "What the daemon fires for the times it missed while it was down.") var catchUp = CatchUp.once
        @Option(help: ArgumentHelp("Skip a fire that could not start within this long of its time.", valueName: "duration")) var deadline: String?
        @Option(help: ArgumentHelp("Delay each fire by a random amount up to this.", valueName: "duration")) var jitter: String?
        @Option(help: "Queue for the jobs.") var queue: String?
        @Option(help: ArgumentHelp("Wall-time limit of each job.", valueName: "duration")) var timeout: String?
        @OptionGroup var format: OutputOptions<PlainJSON>
        @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw ValidationError("give the command after --") }
            for (flag, value) in [("--deadline", deadline), ("--jitter", jitter), ("--timeout", timeout)] {
                if let value, DurationText.seconds(value) == nil { throw ValidationError("\(flag) '\(value)' is not a duration; write it like 90s, 10m or 2h") }
            }
            // Checked here too so that a typo never needs a round trip to the daemon.
            do {
                _ = try CronExpression(cron, timeZone: tz.map { try CronExpression.timeZone(named: $0) } ?? .current)
            } catch {
                throw ValidationError("invalid schedule: \(error)")
            }
        }

        enum Overlap: String, CaseIterable, ExpressibleByArgument { case allow, forbid, replace }
        enum CatchUp: String, CaseIterable, ExpressibleByArgument { case none, once }

        func run(client: ControlClient, output: Output) throws {
            let request = ScheduleAddRequest(
                name: name, cron: cron, timeZone: tz ?? TimeZone.current.identifier, overlap: overlap.rawValue, catchUp: catchUp.rawValue,
                deadlineSeconds: deadline.flatMap(DurationText.seconds), jitterSeconds: jitter.flatMap(DurationText.seconds),
                argv: command, queue: queue, timeoutSeconds: timeout.flatMap(DurationText.seconds))
            let schedule: ScheduleInfo = try client.call("POST", "/v1/schedules", body: request)
            if output == .json { try printJSON(schedule); return }
            print("schedule \(schedule.name) added; next fire \(schedule.nextFireAt ?? "never")")
        }
    }

    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List schedules with their next fire, last fire and last outcome.")
        @OptionGroup var connection: ClientOptions
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let list: ScheduleList = try client.call("GET", "/v1/schedules")
            if output == .json { try printJSON(list); return }
            if list.schedules.isEmpty { print("no schedules"); return }
            var table = TextTable(["NAME", "CRON", "ZONE", "NEXT", "LAST", "OUTCOME"])
            for s in list.schedules {
                table.add([s.name, s.cron, s.timeZone, s.suspended ? "(suspended)" : (s.nextFireAt ?? "never"),
                           s.lastFireAt ?? "-", (s.lastOutcome ?? "-").truncated(50)])
            }
            print(table.render())
        }
    }

    struct Show: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a schedule and its recent history.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let s: ScheduleInfo = try client.call("GET", "/v1/schedules/\(name.pathEscaped)")
            if output == .json { try printJSON(s); return }
            print("""
            schedule    \(s.name)\(s.suspended ? " (suspended)" : "")
            cron        \(s.cron) (\(s.timeZone))
            command     \(s.argv.joined(separator: " "))
            overlap     \(s.overlap)
            catch-up    \(s.catchUp)\(s.deadlineSeconds.map { ", deadline \(Int($0))s" } ?? "")
            next fire   \(s.nextFireAt ?? "never")
            last fire   \(s.lastFireAt ?? "-")
            outcome     \(s.lastOutcome ?? "-")
            """)
            if let events = s.events, !events.isEmpty {
                print("")
                var table = TextTable(["AT", "FOR", "EVENT", "JOB", "DETAIL"])
                for e in events {
                    table.add([e.at, e.scheduledFor ?? "-", e.kind, e.jobID.map(String.init) ?? "-", e.detail ?? ""])
                }
                print(table.render())
            }
        }
    }

    /// rm, suspend, resume and run share one shape: a verb on a named schedule.
    struct Remove: DaemonCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a schedule (its jobs stay).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        func run(client: ControlClient, output: Output) throws { try scheduleVerb(client, "DELETE", name, "", done: "removed") }
    }

    struct Suspend: DaemonCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Stop a schedule from firing until it is resumed.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        func run(client: ControlClient, output: Output) throws { try scheduleVerb(client, "POST", name, "/suspend", done: "suspended") }
    }

    struct Resume: DaemonCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let a suspended schedule fire again (missed fires are not caught up).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        func run(client: ControlClient, output: Output) throws { try scheduleVerb(client, "POST", name, "/resume", done: "resumed") }
    }

    struct Run: DaemonCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Fire a schedule now, whatever its cron says (its overlap policy still applies).",
            discussion: """
            --logical-time runs it for another instant, as a backfill: a competition's ingestion \
            run with --logical-time 2026-11-28T04:00:00+09:00 tags the version it makes 2026-11-28. \
            --wait waits for the job it fired to end and exits non-zero unless it succeeded. A run \
            that the overlap policy skips (a job of the schedule has not ended) exits non-zero at once.
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        @Option(help: ArgumentHelp("The instant the run stands for (RFC 3339).", valueName: "instant")) var logicalTime: String?
        @Flag(help: "Wait for the fired job to end.") var wait = false

        func run(client: ControlClient, output: Output) throws {
            if let logicalTime, Timestamps.parse(logicalTime) == nil {
                throw CommandFailure(message: "--logical-time '\(logicalTime)' is not an RFC 3339 instant; write it like 2026-11-29T04:00:00+09:00", exitCode: 64)
            }
            let s: ScheduleInfo = try client.call("POST", "/v1/schedules/\(name.pathEscaped)/run", body: ScheduleRunRequest(logicalTime: logicalTime))
            // The overlap policy skipped it: lastJobID is the job that blocks it, not one of this run's.
            if let outcome = s.lastOutcome, outcome.hasPrefix("skipped-overlap") {
                throw CommandFailure(message: "schedule \(s.name) did not fire: \(outcome); nothing was run")
            }
            print("schedule \(s.name) fired" + (s.lastOutcome.map { ": \($0)" } ?? "") + (s.lastJobID.map { " (job \($0))" } ?? ""))
            guard wait, let jobID = s.lastJobID else { return }
            let job = try waitForJob(client, jobID)
            print("job \(job.id) \(job.state)" + (job.error.map { ": \($0)" } ?? ""))
            if job.state != "succeeded" {
                throw CommandFailure(message: "job \(job.id) ended \(job.state); `hekatonctl job logs \(job.id)` shows why")
            }
        }
    }
}

private func scheduleVerb(_ client: ControlClient, _ method: String, _ name: String, _ suffix: String, done: String) throws {
    let s: ScheduleInfo = try client.call(method, "/v1/schedules/\(name.pathEscaped)\(suffix)")
    print("schedule \(s.name) \(done)" + (s.lastOutcome.map { ": \($0)" } ?? ""))
}

extension String {
    var pathEscaped: String { percentEncoded(keeping: "!$&'()*+,-.:=@_~") }
}
