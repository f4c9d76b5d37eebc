import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SubmissionBundle

extension Hekatonctl {
    struct Submit: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "submit",
            abstract: "Bundle a submission directory and start the competition's pipeline on it.",
            discussion: """
            The bundle is every file of DIR except what DIR/.hekatonignore leaves out \
            (.gitignore syntax) and except .git/, __pycache__/, *.pyc, .hekaton/ and .venv/, \
            which are always left out. Refused before anything is sent, each with the path and \
            what to do: symbolic links that leave DIR, devices, FIFOs and sockets, unreadable \
            files, and a bundle over the competition's size limit (exit code 65).

            The competition is --competition, else the one recorded in DIR/.hekaton-competition \
            by `hekatonctl init`.

            Examples:
              hekatonctl submit
              hekatonctl submit --tag item-knn ./my-recommender
              hekatonctl submit --competition pococha --dry-run
            """
        )

        /// Bundles smaller than this finish before a progress bar would be read.
        static let progressThreshold: Int64 = 4 << 20

        @OptionGroup var connection: ClientOptions
        @Option(help: ArgumentHelp("The competition (default: the one in DIR/.hekaton-competition).", valueName: "name"))
        var competition: String?
        @Option(help: ArgumentHelp("A label for this submission, shown in lists and on the leaderboard.", valueName: "tag"))
        var tag: String?
        @Flag(help: "List what would be sent, and send nothing.") var dryRun = false
        @OptionGroup var format: OutputOptions<AnswerJSON>
        @Argument(help: ArgumentHelp("The submission directory (default: the current one).", valueName: "dir"))
        var directoryArgument: String?

        private var directory: String { directoryArgument ?? "." }

        func validate() throws {
            if let competition, let problem = CompetitionName.problem(with: competition) { throw ValidationError(problem) }
            if let tag, tag.isEmpty { throw ValidationError("--tag is empty; leave it out or give a label") }
        }

        func run(client: ControlClient, output: Output) throws {
            let name = try competitionName()
            let rules: CompetitionRules = try client.call("GET", "/v1/competitions/\(name.pathEscaped)")
            let listing: BundleListing
            do throws(BundleError) {
                listing = try BundleScanner.scan(directory: directory, maxBytes: rules.maxBundleBytes)
            } catch {
                throw CommandFailure(message: error.message, exitCode: 65)
            }
            if dryRun {
                try show(listing, limit: rules.maxBundleBytes, output: output)
                return
            }
            let body = try archive(listing)
            var query = ""
            if let tag { query = "?tag=" + Self.queryEscaped(tag) }
            let (head, answer) = try client.raw("POST", "/v1/competitions/\(name.pathEscaped)/submissions\(query)",
                                                body: body, contentType: "application/x-tar")
            guard head.status < 300 else { throw Self.problem(status: head.status, body: answer) }
            if output == .json {
                print(String(decoding: answer, as: UTF8.self))
                return
            }
            guard let receipt = try? JSONDecoder().decode(SubmissionReceipt.self, from: Data(answer)) else {
                throw CommandFailure(message: "unexpected answer from the daemon; is hekatonctl the same version as hekatond?", exitCode: 74)
            }
            print("""
                submission \(receipt.id) \(receipt.state) (\(name), \(listing.fileCount) files, \(Format.bytes(listing.totalBytes)))
                follow it with: hekatonctl logs \(receipt.id) --follow
                """)
        }

        private func competitionName() throws(CommandFailure) -> String {
            if let competition { return competition }
            guard let recorded = CompetitionMarker.read(in: directory) else {
                throw CommandFailure(message: """
                    which competition? Pass --competition NAME, or start the directory with \
                    `hekatonctl init --competition NAME`, which records it in \(CompetitionMarker.fileName)
                    """, exitCode: 64)
            }
            if let problem = CompetitionName.problem(with: recorded) {
                throw CommandFailure(message: "\(directory)/\(CompetitionMarker.fileName): \(problem)", exitCode: 64)
            }
            return recorded
        }

        /// The tar archive of `listing`, through a temporary file so that every file is read
        /// (and a file changing under us is caught) before anything is sent.
        private func archive(_ listing: BundleListing) throws(CommandFailure) -> [UInt8] {
            var progress = ProgressBar(label: "bundling")
            let total = listing.totalBytes
            let fileCount = listing.fileCount
            let showsProgress = total >= Self.progressThreshold
            do throws(BundleError) {
                let archive = try TemporaryArchive.write(listing) { done in
                    guard showsProgress else { return }
                    progress.update(done: done.bytes, total: total, detail: "\(done.files)/\(fileCount) files")
                }
                defer { archive.remove() }
                progress.finish()
                return try archive.bytes()
            } catch {
                progress.finish()
                throw CommandFailure(message: error.message, exitCode: error.code == .fileChanged ? 65 : 74)
            }
        }

        private func show(_ listing: BundleListing, limit: Int64, output: Output) throws {
            if output == .json {
                try printJSON(DryRun(root: listing.root, entries: listing.entries.map(DryRun.Entry.init), totalBytes: listing.totalBytes,
                                     archiveBytes: TarWriter.archiveSize(of: listing), maxBundleBytes: limit))
                return
            }
            var table = TextTable(["PATH", "SIZE"])
            for entry in listing.entries {
                switch entry.kind {
                case .file: table.add([entry.path + (entry.isExecutable ? "*" : ""), Format.bytes(entry.size)])
                case .directory: table.add([entry.path + "/", ""])
                case .symlink(let target): table.add([entry.path + " -> " + target, ""])
                }
            }
            print(table.render())
            print("\(listing.fileCount) files, \(Format.bytes(listing.totalBytes)) of the limit of \(Format.bytes(limit)); nothing was sent")
        }

        static func problem(status: Int, body: [UInt8]) -> ControlClientError {
            if let problem = try? JSONDecoder().decode(Problem.self, from: Data(body)) {
                return ControlClientError(.problem, problem.description, problem: problem)
            }
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            let problem = Problem(title: "HTTP \(status)", status: status, detail: text.isEmpty ? nil : text)
            return ControlClientError(.problem, problem.description, problem: problem)
        }

        static func queryEscaped(_ value: String) -> String {
            value.percentEncoded(keeping: "-._~")
        }

        /// What `GET /v1/competitions/NAME` says that submitting needs.
        private struct CompetitionRules: Decodable {
            var name: String
            var maxBundleBytes: Int64
        }

        /// The answer to `POST /v1/competitions/NAME/submissions`.
        private struct SubmissionReceipt: Decodable {
            var id: Int64
            var state: String
        }

        private struct DryRun: Encodable {
            struct Entry: Encodable {
                var path: String
                var kind: String
                var size: Int64
                var executable: Bool
                var target: String?

                init(_ entry: BundleEntry) {
                    path = entry.path
                    size = entry.size
                    executable = entry.isExecutable
                    switch entry.kind {
                    case .file: kind = "file"
                    case .directory: kind = "directory"
                    case .symlink(let linkTarget): kind = "symlink"; target = linkTarget
                    }
                }
            }

            var root: String
            var entries: [Entry]
            var totalBytes: Int64
            var archiveBytes: Int64
            var maxBundleBytes: Int64
        }
    }
}
