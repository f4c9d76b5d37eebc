import ArgumentParser
import ControlAPI
import ControlClient
import Cron
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct LineageCommand: DaemonCommand {
        static let configuration = CommandConfiguration(
            commandName: "lineage",
            abstract: "Trace where a model or artifact came from, or what a dataset version fed.",
            discussion: """
            REF is dataset:NAME@TAG, model:DIGEST-PREFIX, artifact:ID or run:ID.
            --upstream (the default) walks back to the dataset versions and code bundles;
            --downstream walks forward to everything derived (what to rebuild if the data was wrong).

            Formats: tree (for a terminal), json, dot (render with `| dot -Tsvg > lineage.svg`),
            openlineage (OpenLineage run events, one JSON object a line).
            """
        )
        @OptionGroup var connection: ClientOptions
        @Argument(help: "What to trace.") var reference: String
        @Flag(exclusivity: .exclusive) var direction: Direction = .upstream
        @Option(help: "How to print the graph (see above).") var format = GraphFormat.tree

        enum Direction: String, EnumerableFlag {
            case upstream, downstream
            static func help(for value: Direction) -> ArgumentHelp? {
                value == .upstream ? "Everything it derives from." : "Everything derived from it."
            }
        }

        enum GraphFormat: String, CaseIterable, ExpressibleByArgument { case tree, json, dot, openlineage }

        func run(client: ControlClient, output: Output) throws {
            let path = "/v1/lineage?ref=\(reference.queryEscaped)&direction=\(direction.rawValue)&format=\(format.rawValue)"
            let (head, body) = try client.raw("GET", path)
            guard head.status < 300 else {
                let problem = (try? JSONDecoder().decode(Problem.self, from: Data(body)))?.description ?? "HTTP \(head.status)"
                throw CommandFailure(message: problem, exitCode: head.status == 404 ? 1 : 1)
            }
            Terminal.write(body)
            if body.last != UInt8(ascii: "\n") { print("") }
        }
    }

    struct Backup: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy the daemon's state to a new directory while it runs, verified (hosts only).",
            discussion: """
            The database by SQLite's online backup, taken while garbage collection is held off;             the blob store, environments, images and artifacts as hard links (copies on another             filesystem: they never change); the job logs as copies. Then every blob is re-hashed             and every blob the copied records reference is checked present; a copy that fails             is removed. DEST must not exist, and hekatond must be able to write beside it.

            Restore: stop the daemon and put the copy in place of the state directory, then             start it; jobs that were running when the copy was taken run again:
              systemctl stop hekatond && rsync -aH --delete DEST/ /var/lib/hekaton/ && systemctl start hekatond
            or start a daemon on the copy itself: hekatond --state-dir DEST --socket PATH
            """)
        @OptionGroup var connection: ClientOptions
        @Argument(help: "A new directory for the copy.") var destination: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let absolute = URL(fileURLWithPath: destination).standardizedFileURL.path
            let report: BackupReport = try client.call("POST", "/v1/backup", body: BackupRequest(destination: absolute))
            if output == .json { try printJSON(report); return }
            print("""
                backed up to \(report.destination) in \(Format.seconds(report.seconds)): database \(Format.bytes(report.databaseBytes)), \
                \(report.blobs) blobs (\(Format.bytes(report.blobBytes)), all re-hashed; the \(report.referencedBlobs) the records reference are all there), \
                \(report.linkedFiles) files linked, \(report.copiedFiles) copied (\(Format.bytes(report.copiedBytes)))
                \(report.submissions) submissions; \(report.runningJobs) job(s) were running and will run again on a daemon started on the copy
                """)
        }
    }

    struct Fsck: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "fsck",
            abstract: "Verify every blob against its name and find every blob the records reference (hosts only).",
            discussion: """
            Corrupted and missing blobs are listed with their paths and what uses them; restore them from a \
            backup, to the same paths. Exit code 1 when anything is wrong.
            """)
        @OptionGroup var connection: ClientOptions
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let report: FsckReport = try client.call("POST", "/v1/fsck")
            if output == .json { try printJSON(report) } else {
                print("checked \(report.checkedBlobs) blobs, \(Format.bytes(report.checkedBytes)); the records reference \(report.referencedBlobs)")
                for blob in report.corrupted { print("corrupted: \(Self.describe(blob)): its bytes no longer match its name") }
                for blob in report.missing { print("missing: \(Self.describe(blob)): referenced but not in the store") }
                for file in report.strayFiles { print("stray: \(file) (not a blob; move it out of the store)") }
                if let pruned = report.prunedDatasetVersions, !pruned.isEmpty {
                    print("pruned: the data of \(pruned.count) dataset version(s) was pruned by retention (retention.dataset_versions), so their blobs are not expected: \(pruned.suffix(10).joined(separator: ", "))\(pruned.count > 10 ? " and older" : "")")
                }
                if report.healthy { print("all blobs are intact and every referenced blob is present") }
            }
            if !report.healthy {
                throw CommandFailure(message: "the blob store has problems (see above): restore the blobs named there from a backup, to the same paths", exitCode: 1)
            }
        }
    }

    struct GC: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove blobs nothing references, older than the grace period (hosts only).")
        @OptionGroup var connection: ClientOptions
        @Flag(help: "Only say what would be removed.") var dryRun = false
        @Option(help: ArgumentHelp("Keep blobs younger than this (a running job may still be writing them).", valueName: "duration"))
        var grace = "1h"
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            guard let seconds = DurationText.seconds(grace) else {
                throw CommandFailure(message: "--grace '\(grace)' is not a duration; write it like 10m or 1h", exitCode: 64)
            }
            let report: GCReport = try client.call("POST", "/v1/gc?dryRun=\(dryRun)&graceSeconds=\(seconds)")
            if output == .json { try printJSON(report); return }
            let verb = dryRun ? "would remove" : "removed"
            print("\(verb) \(report.removedBlobs.count) blobs (\(Format.bytes(report.removedBytes))); kept \(report.keptYoungBlobs) younger than the grace period")
        }
    }
}

extension Hekatonctl.Fsck {
    static func describe(_ blob: FsckReport.Blob) -> String {
        "\(blob.path) (\(blob.digest))" + (blob.usedBy.map { ", \($0)" } ?? ", referenced by no record")
    }
}

extension String {
    var queryEscaped: String {
        percentEncoded(keeping: "-._~:@")
    }
}
