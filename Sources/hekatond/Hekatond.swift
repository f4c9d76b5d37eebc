import ArgumentParser
import ControlAPI
import Foundation
import HekatonDaemon
import Logging

/// The entry point: the global executor is replaced before the first task could start Dispatch's
/// worker threads (`EventLoopGlobalExecutor` says why); `main` runs on the main actor until then.
@main
enum HekatondMain {
    static func main() async {
        EventLoopGlobalExecutor.install()
        await Hekatond.main()
    }
}

struct Hekatond: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hekatond",
        abstract: "The Hekaton daemon: competitions, the job queue, schedules and lineage.",
        discussion: """
        Runs with no configuration at all. As root, state lives in /var/lib/hekaton and the \
        socket is /run/hekaton/hekatond.sock; for other users, $XDG_STATE_HOME/hekaton and \
        $XDG_RUNTIME_DIR/hekaton/hekatond.sock. Under systemd, $STATE_DIRECTORY and \
        $RUNTIME_DIRECTORY win, the socket may be passed by socket activation, and the daemon \
        speaks the notify protocol (READY, RELOADING on SIGHUP, STOPPING on SIGTERM, WATCHDOG).

        Precedence: command-line flags, then the --config file, then systemd's environment, \
        then the defaults above.

        Exit codes: 0 clean shutdown; 1 cannot start (another daemon on the state directory, \
        a database from a newer version, a damaged database, a missing or empty database beside \
        a blob store that holds blobs, a socket in use, a bad configuration file), or a part \
        of it failed while it ran (the job workers' database), after stopping the rest in order.
        """,
        version: HekatonVersion.current
    )

    @Option(name: .long, help: ArgumentHelp("Directory for the database, blobs and run directories.", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Path of the control socket to create.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("YAML configuration file; re-read on SIGHUP.", valueName: "file"))
    var config: String?

    func run() async throws {
        // The database, blobs and logs are private; sandboxes get their own directories.
        umask(0o027)
        let environment = ProcessInfo.processInfo.environment
        let toJournal = DaemonLogHandler.stderrIsJournal(environment: environment)
        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, toJournal: toJournal) }
        let logger = Logger(label: "hekatond")
        do {
            let configuration = try DaemonConfiguration.resolve(
                stateDirectory: stateDir, socketPath: socket, configurationFile: config,
                environment: environment, euid: UInt32(geteuid()))
            DaemonLogLevel.shared.set(configuration.logLevel)
            try await Daemon(configuration: configuration, logger: logger).run()
        } catch {
            FileHandle.standardError.write(Data("hekatond: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
