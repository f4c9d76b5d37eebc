import ArgumentParser
import ControlAPI
import ControlClient
import Foundation

extension Hekatonctl.CompetitionCommand {
    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a competition directory as a new content-addressed version (hosts only).",
            discussion: """
            The daemon reads DIR/hekaton.yaml strictly (an error names the file, the line, the \
            field and a fix, and publishes nothing), checks that the entrypoints and the \
            template exist, and snapshots the directory. Unchanged content creates nothing.
            """
        )
        @OptionGroup var client: ClientOptions
        @Option(help: "The version's tag (default: v1, v2, ...).") var tag: String?
        @Argument(help: "The competition directory (default: the current one).") var directory = "."
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting {
                let path = URL(fileURLWithPath: directory).standardizedFileURL.path
                let info: CompetitionInfo = try client.call { c throws(ControlClientError) in
                    try c.call("POST", "/v1/competitions", body: CompetitionPublishRequest(path: path, tag: tag))
                }
                if json { try printJSON(info); return }
                if info.created == false {
                    print("unchanged: \(info.name)@\(info.tag) already has this content (\(info.rootDigest)); nothing was published")
                } else {
                    print("published \(info.name)@\(info.tag) (\(info.rootDigest))")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List competitions.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting {
                let list: CompetitionList = try client.call { c throws(ControlClientError) in try c.call("GET", "/v1/competitions") }
                if json { try printJSON(list); return }
                if list.competitions.isEmpty { print("no competitions; publish one with `hekatonctl competition publish DIR`"); return }
                var table = TextTable(["NAME", "VERSION", "METRIC", "DATASET", "PUBLISHED"])
                for c in list.competitions {
                    table.add([c.name, c.tag, "\(c.metric) (\(c.direction))", c.dataset, c.publishedAt])
                }
                print(table.render())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a competition's latest version and rules.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The competition's name.") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting {
                let c: CompetitionInfo = try client.call { client throws(ControlClientError) in
                    try client.call("GET", "/v1/competitions/\(name.pathEscaped)")
                }
                if json { try printJSON(c); return }
                print("""
                competition  \(c.name) (\(c.tag), \(c.versions) version\(c.versions == 1 ? "" : "s"))
                description  \(c.description)
                metric       \(c.metric), \(c.direction)
                dataset      \(c.dataset)
                rules        bundles up to \(Format.bytes(c.maxBundleBytes)), \(c.perParticipantPerDay) submissions per participant per day
                published    \(c.publishedAt)
                digest       \(c.rootDigest)
                """)
            }
        }
    }
}
