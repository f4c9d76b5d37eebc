import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct Submissions: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "submissions",
            abstract: "List submissions (yours; hosts see everyone's) with their state, score, and for a failure the stage and its last log lines.")
        @OptionGroup var connection: ClientOptions
        @Option(help: "Only this competition's.") var competition: String?
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let path = "/v1/submissions" + (competition.map { "?competition=\($0.queryEscaped)" } ?? "")
            let list: SubmissionList = try client.call("GET", path)
            if output == .json { try printJSON(list); return }
            if list.submissions.isEmpty { print("no submissions"); return }
            var table = TextTable(["ID", "COMPETITION", "PARTICIPANT", "TAG", "STATE", "SCORE", "SUBMITTED"])
            for s in list.submissions {
                let state = s.state == "failed" ? "failed (\(s.stage ?? "?"))" : s.state
                table.add(["\(s.id)", s.competition, s.participant, s.tag ?? "-", state,
                           s.score.map(Format.score) ?? "-", s.submittedAt])
            }
            print(table.render())
            for s in list.submissions where s.state == "failed" {
                print("\nsubmission \(s.id) failed in \(s.stage ?? "a stage"): \(s.error ?? "")")
                if let tail = s.logTail, !tail.isEmpty {
                    print(tail.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n"))
                }
            }
        }
    }

    struct Logs: DaemonCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a submission's stage log (the failed or running stage by default).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The submission's id.") var submission: Int64
        @Option(help: "The stage whose log to print.") var stage: Stage?
        @Flag(name: .shortAndLong, help: "Keep printing until the stage ends.") var follow = false

        enum Stage: String, CaseIterable, ExpressibleByArgument { case build, train, predict, score }

        func run(client: ControlClient, output: Output) throws {
            var query: [String] = []
            if let stage { query.append("stage=\(stage.rawValue)") }
            if follow { query.append("follow=true") }
            let path = "/v1/submissions/\(submission)/logs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            try client.stream("GET", path) { chunk in Terminal.write(chunk) }
        }
    }

    struct LeaderboardCommand: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "leaderboard",
            abstract: "A competition's leaderboard: each participant's best submission; ties go to the earlier one.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let board: LeaderboardResponse = try client.call("GET", "/v1/competitions/\(competition.pathEscaped)/leaderboard")
            if output == .json { try printJSON(board); return }
            print("\(board.competition): \(board.metric) (\(board.direction == "maximize" ? "higher" : "lower") is better)")
            if board.entries.isEmpty { print("no scored submissions yet"); return }
            var table = TextTable(["RANK", "PARTICIPANT", "TAG", "SCORE", "SUBMISSION", "SUBMITTED"])
            for e in board.entries {
                table.add(["\(e.rank)", e.participant, e.tag ?? "-", Format.score(e.score), "\(e.submission)", e.submittedAt])
            }
            print(table.render())
        }
    }
}

extension Hekatonctl {
    struct Cancel: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a submission's remaining stages (your own; hosts may cancel any).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The submission's id.") var submission: Int64
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let info: SubmissionInfo = try client.call("POST", "/v1/submissions/\(submission)/cancel")
            if output == .json { try printJSON(info) } else { print("submission \(info.id): \(info.state)") }
        }
    }
}
