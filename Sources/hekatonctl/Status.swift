import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct Status: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the daemon's health and what it holds.",
            discussion: "With --json, prints the API's answer to GET /v1/status unchanged."
        )

        @OptionGroup var connection: ClientOptions

        @OptionGroup var format: OutputOptions<StatusJSON>

        func run(client: ControlClient, output: Output) throws {
            try Self.show(client: client, output: output)
        }

        static func show(client: ControlClient, output: Output) throws {
            let status: StatusResponse = try client.call("GET", "/v1/status")
            if output == .json {
                try printJSON(status)
            } else {
                print(Self.render(status))
            }
        }

        static func render(_ status: StatusResponse) -> String {
            let jobs = status.jobs.isEmpty ? "none"
                : status.jobs.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            // The queue's depth: what has yet to run or finish (a failed job waits for its retry).
            let pending = ["waiting", "queued", "failed"].reduce(0) { $0 + (status.jobs[$1] ?? 0) }
            let queue = "\(pending) to run, \(status.jobs["running"] ?? 0) running"
            let role = status.caller.isAdmin ? "host" : "participant"
            let who = status.caller.user.map { "\($0) (uid \(status.caller.uid))" } ?? "uid \(status.caller.uid)"
            let cluster = (status.clusterJobs ?? []).map { entry in
                let id = entry.externalID.map { "\(entry.executor) job \($0)" } ?? "\(entry.executor), not submitted yet"
                return "\n  cluster          job \(entry.job): \(id), \(entry.state)" + (entry.detail.map { " (\($0))" } ?? "")
            }.joined()
            var lines = ["""
            hekatond \(status.version): running (pid \(status.pid), up \(Format.duration(seconds: status.uptimeSeconds)))
              state directory  \(status.stateDirectory) (database \(Format.bytes(status.databaseBytes)))
              socket           \(status.socketPath)
              queue            \(queue)
              jobs             \(jobs)
              schedules        \(status.schedules)
              you              \(who), \(role)
            """ + cluster]
            if let disk = status.disk {
                let total = disk.reduce(Int64(0)) { $0 + $1.bytes }
                lines.append("  disk             \(Format.bytes(total)): " + disk.filter { $0.bytes > 0 }
                    .map { "\($0.name) \(Format.bytes($0.bytes))" }.joined(separator: ", "))
            }
            lines += dashboard(status)
            return lines.joined(separator: "\n")
        }

        static func dashboard(_ status: StatusResponse) -> [String] {
            func score(_ value: Double?) -> String { value.map(Format.score) ?? "-" }
            var lines: [String] = []
            if !status.nextRuns.isEmpty {
                lines.append("\nnext runs")
                for run in status.nextRuns { lines.append("  \(run.nextFireAt)  \(run.schedule) (\(run.timeZone))") }
            }
            if !status.ingestions.isEmpty {
                lines.append("\nlast ingestion")
                for i in status.ingestions {
                    let what = switch i.outcome {
                    case "new-version": "new version \(i.datasetVersion ?? "?")" + (i.files.map { ", \($0) files" } ?? "")
                    case "unchanged": "unchanged (still \(i.datasetVersion ?? "?"))"
                    default: "FAILED: \(i.error ?? "?")"
                    }
                    lines.append("  \(i.dataset)  \(i.at)  \(what)")
                }
            }
            for c in status.competitions {
                lines.append("\ncompetition \(c.competition) (\(c.metric))")
                lines.append("  champion    " + (c.champion.map { "#\($0.submission) by \($0.participant), \(score($0.score))" } ?? "none yet"))
                lines.append("  production  " + (c.production.map {
                    "model \($0.model) from #\($0.submission)" + ($0.participant.map { " by \($0)" } ?? "") + ", \(score($0.score)); \($0.kind) by \($0.actor) at \($0.at)"
                } ?? "none yet"))
                if let r = c.lastRound {
                    lines.append("  last round  \(r.id) on \(r.datasetVersion) (\(r.trigger)): \(r.state)" + (r.decision.map { ": \($0)" } ?? ""))
                }
                if let a = c.lastArtifact {
                    lines.append("  artifact    \(a.state) \(a.at) (job \(a.job)\(a.model.map { ", model \($0)" } ?? ""))" +
                                 (a.ociReference.map { ", image \(c.competition):\($0)" } ?? "") + (a.path.map { "\n              \($0)" } ?? ""))
                }
            }
            if !status.attention.isEmpty {
                lines.append("\nneeds attention")
                for item in status.attention { lines.append("  ! \(item.kind): \(item.message)") }
            }
            return lines
        }
    }
}
