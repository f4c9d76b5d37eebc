import ArgumentParser
import ControlAPI
import ControlClient
import Foundation

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
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Snapshot a directory (or a file) into a new version of a dataset (hosts only).",
            discussion: """
            The daemon hashes every file (SHA-256, on every core), stores it once in its \
            content-addressed store, and records the version. The same content as the latest \
            version creates nothing and says so. Without --tag, versions are tagged v1, v2, ...

            Example:
              hekatonctl dataset register pococha-daily --tag 2026-11-29 ./data/2026-11-29
            """
        )
        @OptionGroup var client: ClientOptions
        @Argument(help: "The dataset's name.") var name: String
        @Option(help: "The version's tag (default: v1, v2, ...).") var tag: String?
        @Argument(help: "The directory or file to register.") var path: String
        @Flag(help: "Print the version as JSON.") var json = false

        func run() throws {
            try runReporting {
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                guard FileManager.default.fileExists(atPath: absolute) else {
                    throw CommandFailure(message: "\(absolute) does not exist", exitCode: 64)
                }
                let request = DatasetRegisterRequest(path: absolute, tag: tag)
                let body = try JSONEncoder().encode(request)
                var progress = ProgressBar(label: "hashing")
                var pending: [UInt8] = []
                var outcome: RegistrationEvent?
                try client.call { c throws(ControlClientError) in
                    try c.stream("POST", "/v1/datasets/\(name.pathEscaped)/versions", body: Array(body)) { chunk in
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
                }
                progress.finish()
                if let problem = outcome?.problem { throw CommandFailure(message: problem.description, exitCode: problem.status == 403 ? 77 : 1) }
                guard let version = outcome?.result else { throw CommandFailure(message: "the daemon ended the registration without a result", exitCode: 74) }
                if json { try printJSON(version); return }
                if version.created == false {
                    print("unchanged: \(version.dataset)@\(version.tag) already has this content (\(version.rootDigest)); nothing was created")
                } else {
                    print("registered \(version.dataset)@\(version.tag): \(version.fileCount) files, \(Format.bytes(version.size)), \(version.rootDigest)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets with their latest version.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting {
                let list: DatasetList = try client.call { c throws(ControlClientError) in try c.call("GET", "/v1/datasets") }
                if json { try printJSON(list); return }
                if list.datasets.isEmpty { print("no datasets; register one with `hekatonctl dataset register NAME PATH`"); return }
                var table = TextTable(["NAME", "VERSIONS", "LATEST", "FILES", "SIZE", "DIGEST"])
                for d in list.datasets {
                    table.add([d.name, "\(d.versions)", d.latest?.tag ?? "-", d.latest.map { "\($0.fileCount)" } ?? "-",
                               d.latest.map { Format.bytes($0.size) } ?? "-", d.latest.map { String($0.rootDigest.prefix(19)) } ?? "-"])
                }
                print(table.render())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a dataset's versions, or one version with NAME@TAG.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "NAME or NAME@TAG.") var reference: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting {
                let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
                var path = "/v1/datasets/\(parts[0].pathEscaped)"
                if parts.count > 1 { path += "?tag=\(parts[1].pathEscaped)" }
                let detail: DatasetDetail = try client.call { c throws(ControlClientError) in try c.call("GET", path) }
                if json { try printJSON(detail); return }
                var table = TextTable(["TAG", "CREATED", "FILES", "SIZE", "DIGEST", "SOURCE"])
                for v in detail.versions {
                    table.add([v.tag, v.createdAt, "\(v.fileCount)", Format.bytes(v.size), v.rootDigest, v.source ?? "-"])
                }
                print(table.render())
            }
        }
    }
}
