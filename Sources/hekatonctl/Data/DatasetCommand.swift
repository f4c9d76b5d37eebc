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
    struct DatasetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dataset",
            abstract: "Datasets: register a directory as a new version, list, show.",
            subcommands: [Register.self, List.self, Show.self]
        )
    }
}

extension Hekatonctl.DatasetCommand {
    struct Register: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Snapshot a directory (or a file) into a new version of a dataset (hosts only).",
            discussion: """
            The daemon hashes every file (SHA-256, on every core), stores it once in its \
            content-addressed store, and records the version. The same content as the latest \
            version creates nothing and says so. Without --tag, versions are tagged v1, v2, ...

            The daemon reads PATH where it is, so PATH must be visible to it (under systemd, not \
            under /home, /root or /tmp: see /srv/hekaton). With --upload, hekatonctl sends the \
            directory over the socket instead, so where it lies does not matter (as `submit` \
            does; .git, __pycache__, .venv and *.pyc are left out).

            Examples:
              hekatonctl dataset register pococha-daily --tag 2026-11-29 /srv/hekaton/data/2026-11-29
              hekatonctl dataset register pococha-daily --tag 2026-11-29 --upload ~/data/2026-11-29
            """
        )
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The dataset's name.") var name: String
        @Option(help: "The version's tag (default: v1, v2, ...).") var tag: String?
        @Argument(help: "The directory or file to register.") var path: String
        @Flag(help: "Send the directory over the socket rather than have the daemon read it where it is.") var upload = false
        @OptionGroup var format: OutputOptions<VersionJSON>

        func run(client: ControlClient, output: Output) throws {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: absolute) else {
                throw CommandFailure(message: "\(absolute) does not exist", exitCode: 64)
            }
            var progress = ProgressBar(label: "hashing")
            var pending: [UInt8] = []
            var outcome: RegistrationEvent?
            // The daemon answers with one JSON object a line: progress, then the result.
            let onChunk = { (chunk: ArraySlice<UInt8>) throws(ControlClientError) in
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    guard let event = try? JSONDecoder().decode(RegistrationEvent.self, from: Data(line)) else { continue }
                    if let p = event.progress {
                        progress.update(done: p.bytesDone, total: p.bytesTotal, detail: "\(p.filesDone)/\(p.filesTotal) files")
                    } else {
                        outcome = event
                    }
                }
            }
            let route = "/v1/datasets/\(name.pathEscaped)/versions"
            if upload {
                let listing = try Self.listing(absolute)
                let query = tag.map { "?tag=" + $0.percentEncoded(keeping: "") } ?? ""
                var sending = ProgressBar(label: "sending")
                let total = listing.entries.reduce(Int64(0)) { $0 + $1.size }
                try client.upload("POST", route + query, contentType: "application/x-tar", length: TarWriter.archiveSize(of: listing),
                             produce: { write throws(ControlClientError) in
                    try Self.archive(listing, to: write) { done in sending.update(done: done.bytes, total: total, detail: "\(done.files) files") }
                    sending.finish()
                }, onChunk: onChunk)
            } else {
                let body = try JSONEncoder().encode(DatasetRegisterRequest(path: absolute, tag: tag))
                try client.stream("POST", route, body: Array(body), onChunk: onChunk)
            }
            progress.finish()
            if let problem = outcome?.problem { throw CommandFailure(message: problem.description, exitCode: problem.status == 403 ? 77 : 1) }
            guard let version = outcome?.result else { throw CommandFailure(message: "the daemon ended the registration without a result", exitCode: 74) }
            if output == .json { try printJSON(version); return }
            if version.created == false {
                print("unchanged: \(version.dataset)@\(version.tag) already has this content (\(version.rootDigest)); nothing was created")
            } else {
                print("registered \(version.dataset)@\(version.tag): \(version.fileCount) files, \(Format.bytes(version.size)), \(version.rootDigest)")
            }
        }
    }

    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List datasets with their latest version.")
        @OptionGroup var connection: ClientOptions
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let list: DatasetList = try client.call("GET", "/v1/datasets")
            if output == .json { try printJSON(list); return }
            if list.datasets.isEmpty { print("no datasets; register one with `hekatonctl dataset register NAME PATH`"); return }
            var table = TextTable(["NAME", "VERSIONS", "LATEST", "FILES", "SIZE", "DIGEST"])
            for d in list.datasets {
                table.add([d.name, "\(d.versions)", d.latest?.tag ?? "-", d.latest.map { "\($0.fileCount)" } ?? "-",
                           d.latest.map { Format.bytes($0.size) } ?? "-", d.latest.map { String($0.rootDigest.prefix(19)) } ?? "-"])
            }
            print(table.render())
        }
    }

    struct Show: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a dataset's versions, or one version with NAME@TAG.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "NAME or NAME@TAG.") var reference: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
            var path = "/v1/datasets/\(parts[0].pathEscaped)"
            if parts.count > 1 { path += "?tag=\(parts[1].pathEscaped)" }
            let detail: DatasetDetail = try client.call("GET", path)
            if output == .json { try printJSON(detail); return }
            var table = TextTable(["TAG", "CREATED", "FILES", "SIZE", "DIGEST", "SOURCE"])
            for v in detail.versions {
                // A pruned version's record stays; its bytes are gone, and the size says so.
                let size = v.dataPrunedAt.map { "pruned by retention \($0)" } ?? Format.bytes(v.size)
                table.add([v.tag, v.createdAt, "\(v.fileCount)", size, v.rootDigest, v.source ?? "-"])
            }
            print(table.render())
        }
    }
}

extension Hekatonctl.DatasetCommand.Register {
    /// What --upload sends: the directory's files, without the built-in excludes, as `submit` scans.
    static func listing(_ directory: String) throws -> BundleListing {
        do throws(BundleError) {
            return try BundleScanner.scan(directory: directory, maxBytes: Int64.max / 2, ignoreRules: IgnoreRules(rules: []))
        } catch {
            throw CommandFailure(message: error.message, exitCode: error.code == .notADirectory ? 64 : 65)
        }
    }

    /// Streams the archive of `listing` through `write`, a chunk at a time.
    static func archive(_ listing: BundleListing, to write: ([UInt8]) throws(ControlClientError) -> Void,
                        progress: @escaping (BundleProgress) -> Void) throws(ControlClientError) {
        // TarWriter keeps its sink for the call only; it never outlives `write`.
        try withoutActuallyEscaping(write) { (write) throws(ControlClientError) in
            var failure: ControlClientError?
            do throws(BundleError) {
                try TarWriter.write(listing, progress: progress) { (chunk: ArraySlice<UInt8>) throws(BundleError) in
                    do throws(ControlClientError) {
                        try write(Array(chunk))
                    } catch {
                        failure = error
                        throw BundleError(.writeFailed, error.message)
                    }
                }
            } catch {
                throw failure ?? ControlClientError(.io, error.message)
            }
        }
    }
}
