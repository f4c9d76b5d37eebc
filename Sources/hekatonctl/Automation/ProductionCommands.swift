import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct Promote: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Make a model a competition's production model (hosts).",
            discussion: """
            MODEL is a model id (12), a model digest or its prefix (sha256:ab12cd34), or a \
            submission (#5) whose model is meant. The change is recorded with your name; \
            `hekatonctl history COMPETITION` lists every change and `hekatonctl rollback` undoes it.
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @Argument(help: "The model: an id, a digest prefix, or #SUBMISSION.") var model: String
        @Option(help: "Why, for the record.") var reason: String?
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let info: PromotionInfo = try client.call("POST", "/v1/competitions/\(competition.pathEscaped)/promote", body: PromoteRequest(model: model, reason: reason))
            if output == .json { try printJSON(info) } else { print(Self.describe(info)) }
        }

        static func describe(_ p: PromotionInfo) -> String {
            let score = p.score.map { " (score \(Format.score($0)))" } ?? ""
            return "\(p.competition): production is now model \(p.model)\(score) from submission #\(p.submission)" +
                (p.participant.map { " by \($0)" } ?? "") + "; \(p.kind) by \(p.actor): \(p.reason)"
        }
    }

    struct Rollback: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Put back the production model a competition had before the current one (hosts).",
            discussion: "Each rollback goes one step further back. The change is recorded with your name.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @Option(help: "Why, for the record.") var reason: String?
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let info: PromotionInfo = try client.call("POST", "/v1/competitions/\(competition.pathEscaped)/rollback", body: RollbackRequest(reason: reason))
            if output == .json { try printJSON(info) } else { print(Promote.describe(info)) }
        }
    }

    struct History: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Per dataset version: the production model's score, what was retrained, what was promoted.",
            discussion: """
            One row per retraining round (a new dataset version, or the periodic retrain). \
            PROD is the production model's score on that version's evaluation data, BEST the best \
            retrained model's, and DECISION what happened: promoted, kept (worse than production \
            by more than the manifest's promotion.tolerance), failed or skipped. \
            ARTIFACT is the last artifact built while that version was the latest.
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let history: HistoryResponse = try client.call("GET", "/v1/competitions/\(competition.pathEscaped)/history")
            if output == .json { try printJSON(history); return }
            print(Self.render(history))
        }

        static func render(_ history: HistoryResponse) -> String {
            func score(_ value: Double?) -> String { value.map(Format.score) ?? "-" }
            var lines = ["\(history.competition): \(history.metric) (\(history.direction == "maximize" ? "higher" : "lower") is better), promotion tolerance \(history.tolerance)"]
            var table = TextTable(["VERSION", "ROUND", "TRIGGER", "PROD", "RETRAINED", "BEST", "DECISION", "PRODUCTION", "ARTIFACT"])
            for row in history.rows {
                let production = row.production.map { "model \($0.model) (#\($0.submission))" } ?? "-"
                let artifact = row.artifacts.last.map { "\($0.state) job \($0.job)" } ?? "-"
                if row.rounds.isEmpty {
                    table.add([row.datasetVersion, "-", "-", "-", "-", "-", "-", production, artifact])
                }
                for (index, round) in row.rounds.enumerated() {
                    let retrained = round.members.filter { $0.kind == "retrain" }.map { member in
                        "#\(member.source.map(String.init) ?? "?")→#\(member.submission)" + (member.state == "scored" ? "" : " \(member.state)")
                    }.joined(separator: ", ")
                    table.add([index == 0 ? row.datasetVersion : "", "\(round.id)", round.trigger, score(round.productionScore),
                               retrained.isEmpty ? "-" : retrained, score(round.bestScore), round.state,
                               index == row.rounds.count - 1 ? production : "", index == row.rounds.count - 1 ? artifact : ""])
                }
            }
            lines.append(history.rows.isEmpty ? "no dataset versions yet" : table.render())
            let manual = history.promotions.filter { $0.kind == "promote" || $0.kind == "rollback" }
            if !manual.isEmpty {
                lines.append("")
                lines.append("by hand:")
                for p in manual { lines.append("  \(p.at)  \(p.kind) to model \(p.model) (#\(p.submission)) by \(p.actor): \(p.reason)") }
            }
            return lines.joined(separator: "\n")
        }
    }
}
