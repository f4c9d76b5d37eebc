import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl.CompetitionCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Scaffold a competition directory that works as it is.",
            discussion: """
            Writes hekaton.yaml, the host's entrypoints (host/train.py, predict.py, score.py, \
            artifact.py on the Python SDK), make_data.py (a generator of dataset versions for a \
            toy task: predict house prices, scored by RMSE), a participant template (template/) \
            and a README. Edit them into your competition; the README says how to run it \
            locally and publish it.

            Examples:
              hekatonctl competition init house-prices
              hekatonctl competition init churn ./competitions/churn
            """
        )

        @Argument(help: "The competition's name: lower-case letters, digits and dashes.") var name: String
        @Argument(help: ArgumentHelp("The directory to create (default: ./NAME); it must be new or empty.", valueName: "dir"))
        var directory: String?
        @OptionGroup var format: OutputOptions<ScaffoldJSON>

        func validate() throws {
            if let problem = CompetitionName.problem(with: name) { throw ValidationError(problem) }
        }

        func run() throws {
            try reportingFailures { try scaffold(output: format.output) }
        }

        private func scaffold(output: Output) throws {
            let destination = try ScaffoldDestination.prepare(directory ?? name)
            let files = CompetitionScaffold(name: name).files
            do {
                for file in files { try destination.write(file) }
            } catch {
                destination.discard()
                throw error
            }
            if output == .json {
                try printJSON(Created(directory: destination.path, files: files))
                return
            }
            let shown = Self.shellQuoted(destination.path)
            print("""
                created competition \(name) in \(destination.path):
                \(files.map { "  " + $0.path }.joined(separator: "\n"))
                next:
                  python3 \(shown)/make_data.py --out /tmp/\(name)/v1
                  PYTHONPATH=python/src python3 -m hekaton.local \(shown) /tmp/\(name)/v1 \(shown)/template
                (from a Hekaton checkout); then see \(shown)/README.md to publish it.
                """)
        }

        private struct Created: Encodable {
            var directory: String
            var files: [ScaffoldFile]
        }

        private static func shellQuoted(_ path: String) -> String {
            path.allSatisfy { $0.isLetter || $0.isNumber || "/._-".contains($0) } ? path : "'" + path.replacing( "'", with: #"'\''"#) + "'"
        }
    }
}
