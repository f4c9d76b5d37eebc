import ArgumentParser
import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl.CompetitionCommand {
    struct Publish: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Publish a competition directory as a new content-addressed version (hosts only).",
            discussion: """
            The daemon reads DIR/hekaton.yaml strictly (an error names the file, the line, the \
            field and a fix, and publishes nothing), checks that the entrypoints and the \
            template exist, and snapshots the directory. Unchanged content creates nothing.
            """
        )
        @OptionGroup var connection: ClientOptions
        @Option(help: "The version's tag (default: v1, v2, ...).") var tag: String?
        @Argument(help: "The competition directory (default: the current one).") var directory = "."
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let path = URL(fileURLWithPath: directory).standardizedFileURL.path
            let info: CompetitionInfo = try client.call("POST", "/v1/competitions", body: CompetitionPublishRequest(path: path, tag: tag))
            if output == .json { try printJSON(info); return }
            if info.created == false {
                print("unchanged: \(info.name)@\(info.tag) already has this content (\(info.rootDigest)); nothing was published")
            } else {
                print("published \(info.name)@\(info.tag) (\(info.rootDigest))")
            }
        }
    }

    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List competitions.")
        @OptionGroup var connection: ClientOptions
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let list: CompetitionList = try client.call("GET", "/v1/competitions")
            if output == .json { try printJSON(list); return }
            if list.competitions.isEmpty { print("no competitions; publish one with `hekatonctl competition publish DIR`"); return }
            var table = TextTable(["NAME", "VERSION", "PHASE", "METRIC", "DATASET", "PUBLISHED"])
            for c in list.competitions {
                table.add([c.name, c.tag, c.phase ?? "open", "\(c.metric) (\(c.direction))", c.dataset, c.publishedAt])
            }
            print(table.render())
        }
    }

    struct Show: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a competition's latest version and rules.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var name: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let c: CompetitionInfo = try client.call("GET", "/v1/competitions/\(name.pathEscaped)")
            if output == .json { try printJSON(c); return }
            print("""
            competition  \(c.name) (\(c.tag), \(c.versions) version\(c.versions == 1 ? "" : "s"))
            description  \(c.description)
            metric       \(c.metric), \(c.direction)
            dataset      \(c.dataset)
            rules        bundles up to \(Format.bytes(c.maxBundleBytes)), \(c.perParticipantPerDay) submissions per participant per day
            phase        \(Self.phase(c))
            published    \(c.publishedAt)
            digest       \(c.rootDigest)
            """)
        }

        /// `open until 2027-01-31 23:59 Asia/Tokyo`, `closed by a host at ...`, `upcoming: opens at ...`.
        static func phase(_ c: CompetitionInfo) -> String {
            switch c.phase {
            case "upcoming": return "upcoming: opens at \(c.opensLocal ?? c.opensAt ?? "?")"
            case "closed":
                if let closed = c.closedAt { return "closed by a host at \(closed)" }
                return "closed at \(c.closesLocal ?? c.closesAt ?? "?")"
            default:
                return c.closesLocal.map { "open until \($0)" } ?? "open"
            }
        }
    }

    struct Close: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close a competition now: it takes no more submissions (hosts only).",
            discussion: """
            Submissions already queued or running still finish and are scored. The competition \
            stays closed across new versions of its directory. Closing one that is closed \
            already (by hand, or past its closes_at) changes nothing. The manifest's \
            phases.closes_at closes it on its own at that time.
            """
        )
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var name: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let c: CompetitionInfo = try client.call("POST", "/v1/competitions/\(name.pathEscaped)/close")
            if output == .json { try printJSON(c); return }
            if c.closedNow == true {
                print("closed \(c.name): it takes no more submissions")
            } else {
                print("\(c.name) was closed already (\(Show.phase(c))); nothing changed")
            }
        }
    }
}
