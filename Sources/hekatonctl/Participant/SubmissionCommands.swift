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
        /// The entries' scores version by version: how each held up as the data moved.
        func printHistory(_ board: LeaderboardResponse, versions: [String]) {
            let teams = board.entries.contains { $0.team != nil }
            var table = TextTable(["RANK"] + (teams ? ["TEAM"] : []) + ["PARTICIPANT", "TAG"]
                                  + versions.map { String($0.split(separator: "@").last ?? Substring($0)) } + ["STABILITY"])
            for e in board.entries {
                let scores = (e.history ?? []).map { $0.map(Format.score) ?? "-" }
                let stability = e.stability.map { "\(Format.score($0.mean)) ±\(Format.score($0.spread)) (\($0.versions))" } ?? "-"
                table.add(["\(e.rank)"] + (teams ? [e.team ?? "-"] : []) + [e.participant, e.tag ?? "-"] + scores + [stability])
            }
            print(table.render())
            print("each column: the entry's score on that dataset version (its own, or its re-scoring's); -: none there")
        }

        /// Places gained or lost between the public and the private board: `+2`, `-1`, `=`.
        static func move(_ movement: Int?) -> String {
            guard let movement else { return "-" }
            return movement > 0 ? "+\(movement)" : movement < 0 ? "\(movement)" : "="
        }

        static let configuration = CommandConfiguration(
            commandName: "leaderboard",
            abstract: "A competition's leaderboard: each participant's best submission; ties go to the earlier one.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @Flag(help: "The private leaderboard, which decides at the end (hosts; everyone once the competition has closed).")
        var `private` = false
        @Option(help: "The board as it stood on this dataset version (its tag or id): each entry by its score on that data, its own or its re-scoring's.")
        var version: String?
        @Option(help: ArgumentHelp("Each entry's score on the dataset's latest N versions (1 to 60), re-scored on each.", valueName: "N"))
        var history: Int?
        @OptionGroup var format: OutputOptions<PlainJSON>

        func validate() throws {
            if let history, !(1...60).contains(history) { throw ValidationError("--history takes 1 to 60 dataset versions, not \(history)") }
        }

        func run(client: ControlClient, output: Output) throws {
            var query: [String] = []
            if `private` { query.append("board=private") }
            if let version { query.append("version=\(version.queryEscaped)") }
            if let history { query.append("history=\(history)") }
            let board: LeaderboardResponse = try client.call(
                "GET", "/v1/competitions/\(competition.pathEscaped)/leaderboard" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if output == .json { try printJSON(board); return }
            let which = (board.board.map { " on the \($0) leaderboard" } ?? "") + (board.datasetVersion.map { ", as it stood on dataset version \($0)" } ?? "")
            print("\(board.competition): \(board.metric) (\(board.direction == "maximize" ? "higher" : "lower") is better)\(which)")
            if board.entries.isEmpty { print("no scored submissions yet"); return }
            if let versions = board.historyVersions { printHistory(board, versions: versions); return }
            let teams = board.entries.contains { $0.team != nil }
            // The private board is the final one: it shows the shake-up from the public board.
            let shakeUp = board.board == "private"
            var header = ["RANK"]
            if shakeUp { header += ["PUBLIC", "MOVE"] }
            if teams { header.append("TEAM") }
            header += ["PARTICIPANT", "TAG", "SCORE", "STABILITY", "SUBMISSION", shakeUp ? "SELECTED" : "SUBMITTED", "REPRODUCED"]
            var table = TextTable(header)
            for e in board.entries {
                var row = ["\(e.rank)"]
                if shakeUp { row += [e.publicRank.map { "\($0)" } ?? "-", Self.move(e.movement)] }
                if teams { row.append(e.team ?? "-") }
                let selected: String = e.selected.map { $0 ? "yes" : "best public" } ?? "-"
                let stability = e.stability.map { "\(Format.score($0.mean)) ±\(Format.score($0.spread)) (\($0.versions))" } ?? "-"
                row += [e.participant, e.tag ?? "-", Format.score(e.score), stability, "\(e.submission)", shakeUp ? selected : e.submittedAt,
                        e.reproduced.map { $0 ? "exactly" : "no" } ?? "-"]
                table.add(row)
            }
            print(table.render())
            if board.entries.contains(where: { $0.stability != nil }) {
                print("STABILITY: mean ±spread of the entry's scores on the latest dataset versions (how many), each new version re-scoring it")
            }
            if shakeUp {
                print("MOVE: places gained (+) or lost (-) from the public board; each entry is its best private score among its final selections (hekatonctl select)")
            }
        }
    }
}

extension Hekatonctl {
    struct Reproduce: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "reproduce",
            abstract: "Run a scored submission again on the same data and seed, and say whether the score and the model match.",
            discussion: """
            The same code, environment and dataset version, with the same HEKATON_SEED, as a \
            submission of kind reproduce that never ranks. It waits for the run and compares the \
            model digest and the score with the original's; the leaderboard then marks the entry \
            (REPRODUCED: exactly or no). Exit status 0 when both match, 1 when not. A model that \
            draws on os.urandom, the clock or thread timing does not reproduce: seed through \
            hekaton.seed() (the SDK seeds random and numpy) and keep BLAS to one thread.
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The scored submission's id (your own; hosts may reproduce any).") var submission: Int64
        @Flag(help: "Start it and print the new submission's id without waiting.") var noWait = false
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            var info: SubmissionInfo = try client.call("POST", "/v1/submissions/\(submission)/reproduce")
            if noWait {
                if output == .json { try printJSON(info) } else { print("reproducing #\(submission) as submission \(info.id)") }
                return
            }
            let final: Set<String> = ["scored", "failed", "cancelled"]
            let terminal = Terminal.errorIsTerminal
            var interval = 0.2
            while !final.contains(info.state) || info.reproduced == nil {
                if terminal { Terminal.writeError("\r\u{1B}[Kreproducing #\(submission) as \(info.id): \(info.state)") }
                Terminal.sleep(seconds: interval)
                interval = min(interval * 1.5, 2)
                info = try client.call("GET", "/v1/submissions/\(info.id)")
            }
            if terminal { Terminal.writeError("\r\u{1B}[K") }
            if output == .json { try printJSON(info) }
            guard info.reproduced == true else {
                throw CommandFailure(message: "submission \(info.id): \(info.reproduction ?? "did not reproduce")")
            }
            if output == .text { print("submission \(info.id): \(info.reproduction ?? info.state)") }
        }
    }

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
