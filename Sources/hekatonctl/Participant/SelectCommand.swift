import ArgumentParser
import ControlAPI
import ControlClient

extension Hekatonctl {
    struct Select: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "select",
            abstract: "Choose your final submissions: the ones that compete on the private leaderboard.",
            discussion: """
            At close, your final rank is the best private score among your selections. Select up \
            to the competition's limit (metric.final_selections, 2 by default) of your scored \
            submissions; a new selection replaces the last. Select nothing and your best public \
            submissions stand in. In a team, the selections are the team's, and any member sets \
            them. Selections are settled when the competition closes.

              hekatonctl select 12 15                  select submissions 12 and 15
              hekatonctl select --competition pococha  show what counts for you now
              hekatonctl select --competition pococha --clear
                                                       go back to your best public ones
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "Your scored submissions' ids (none: show what counts).") var submissions: [Int64] = []
        @Option(help: "The competition (by default, the first submission's).") var competition: String?
        @Flag(help: "Drop your selections: your best public submissions stand in.") var clear = false
        @OptionGroup var format: OutputOptions<PlainJSON>

        func validate() throws {
            if clear && !submissions.isEmpty { throw ValidationError("--clear selects nothing: give it no submission ids") }
            if submissions.isEmpty && competition == nil {
                throw ValidationError("name the submissions to select, or --competition NAME to see what counts for you")
            }
        }

        func run(client: ControlClient, output: Output) throws {
            let name: String
            if let competition { name = competition } else {
                let first: SubmissionInfo = try client.call("GET", "/v1/submissions/\(submissions[0])")
                name = first.competition
            }
            let path = "/v1/competitions/\(name.pathEscaped)/selections"
            let info: SelectionInfo = submissions.isEmpty && !clear
                ? try client.call("GET", path)
                : try client.call("PUT", path, body: SelectionRequest(submissions: submissions))
            if output == .json { try printJSON(info); return }
            let whose = info.team.map { "team \($0)" } ?? "you"
            let how = info.chosen ? "selected by \(whose)" : "\(whose) selected none: the best public ones stand in"
            print("\(info.competition): final submissions (up to \(info.limit)), \(how)")
            if info.submissions.isEmpty { print("no scored submissions yet"); return }
            var table = TextTable(["SUBMISSION", "PARTICIPANT", "TAG", "PUBLIC SCORE"])
            for s in info.submissions {
                table.add(["\(s.id)", s.participant, s.tag ?? "-", s.publicScore.map(Format.score) ?? "-"])
            }
            print(table.render())
        }
    }
}
