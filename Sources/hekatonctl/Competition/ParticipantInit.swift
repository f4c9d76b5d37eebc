import ArgumentParser
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SubmissionBundle

extension Hekatonctl {
    struct ParticipantInit: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Start a submission from a competition's template.",
            discussion: """
            Fetches the template the competition's host published (a Trainer and a Predictor \
            that run, a requirements file, a README of the contract) into DIR, and records the \
            competition in DIR/.hekaton-competition so that `hekatonctl submit` there needs no \
            --competition.

            Examples:
              hekatonctl init --competition pococha
              hekatonctl init --competition pococha ./my-recommender
            """
        )

        /// The template comes from the host, not from a participant, but it is still
        /// extracted as untrusted input; these bounds only stop an absurd one.
        static let maximumTemplateBytes: Int64 = 256 << 20
        static let maximumTemplateEntries = 10_000

        @OptionGroup var connection: ClientOptions
        @Option(help: ArgumentHelp("The competition to enter.", valueName: "name")) var competition: String
        @Argument(help: ArgumentHelp("The directory to create (default: ./COMPETITION); it must be new or empty.", valueName: "dir"))
        var directory: String?
        @OptionGroup var format: OutputOptions<ExtractedJSON>

        func validate() throws {
            if let problem = CompetitionName.problem(with: competition) { throw ValidationError(problem) }
        }

        func run(client: ControlClient, output: Output) throws {
            let destination = try ScaffoldDestination.prepare(directory ?? competition)
            let summary: TarExtractor.Summary
            do {
                summary = try fetchTemplate(into: destination.path, from: client)
                try CompetitionMarker.write(competition, in: destination.path)
            } catch {
                destination.discard()
                throw error
            }
            if output == .json {
                try printJSON(Created(directory: destination.path, competition: competition, files: summary.files,
                                      directories: summary.directories, symlinks: summary.symlinks, bytes: summary.bytes))
                return
            }
            print("""
                created \(destination.path) from the template of \(competition) \
                (\(summary.files) file\(summary.files == 1 ? "" : "s"), \(Format.bytes(summary.bytes)))
                next: read its README.md, edit submission.py, then: hekatonctl submit \(destination.path)
                """)
        }

        /// Streams `GET /v1/competitions/NAME/template` (a tar archive) into the extractor.
        private func fetchTemplate(into path: String, from client: ControlClient) throws -> TarExtractor.Summary {
            let extractor: TarExtractor
            do throws(BundleError) {
                extractor = try TarExtractor(destination: path, maxBytes: Self.maximumTemplateBytes,
                                             maxEntries: Self.maximumTemplateEntries)
            } catch {
                throw CommandFailure(message: error.message, exitCode: 74)
            }
            try client.stream("GET", "/v1/competitions/\(competition.pathEscaped)/template") { chunk throws(ControlClientError) in
                do throws(BundleError) {
                    try extractor.consume(chunk)
                } catch {
                    throw ControlClientError(.badResponse, "the template of \(competition) cannot be extracted: \(error.message)")
                }
            }
            do throws(BundleError) {
                return try extractor.finish()
            } catch {
                throw CommandFailure(message: "the template of \(competition) cannot be extracted: \(error.message)", exitCode: 74)
            }
        }

        private struct Created: Encodable {
            var directory: String
            var competition: String
            var files: Int
            var directories: Int
            var symlinks: Int
            var bytes: Int64
        }
    }
}
