import ArgumentParser
import ControlAPI
import ControlClient

extension Hekatonctl {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the daemon's health and what it holds.",
            discussion: "With --json, prints the API's answer to GET /v1/status unchanged."
        )

        @OptionGroup var client: ClientOptions

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func run() throws {
            try runReporting {
                let status: StatusResponse = try client.call { c throws(ControlClientError) in try c.call("GET", "/v1/status") }
                if json {
                    try printJSON(status)
                } else {
                    print(Self.render(status))
                }
            }
        }

        static func render(_ status: StatusResponse) -> String {
            let jobs = status.jobs.isEmpty ? "none"
                : status.jobs.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let role = status.caller.isAdmin ? "host" : "participant"
            let who = status.caller.user.map { "\($0) (uid \(status.caller.uid))" } ?? "uid \(status.caller.uid)"
            let cluster = (status.clusterJobs ?? []).map { entry in
                let id = entry.externalID.map { "\(entry.executor) job \($0)" } ?? "\(entry.executor), not submitted yet"
                return "\n  cluster          job \(entry.job): \(id), \(entry.state)" + (entry.detail.map { " (\($0))" } ?? "")
            }.joined()
            return """
            hekatond \(status.version): running (pid \(status.pid), up \(Format.duration(seconds: status.uptimeSeconds)))
              state directory  \(status.stateDirectory) (database \(Format.bytes(status.databaseBytes)))
              socket           \(status.socketPath)
              jobs             \(jobs)
              schedules        \(status.schedules)
              you              \(who), \(role)
            """ + cluster
        }
    }
}
