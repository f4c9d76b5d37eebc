import ArgumentParser
import ControlAPI
#if canImport(Glibc)
import Glibc
#endif

@main
struct Hekatonctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hekatonctl",
        abstract: "Control hekatond: competitions, submissions, jobs, schedules and lineage.",
        discussion: """
        hekatonctl talks to hekatond over its Unix socket. It looks for the socket at \
        --socket, then $HEKATON_SOCKET, then your own daemon's \
        ($XDG_RUNTIME_DIR/hekaton/hekatond.sock), then the system daemon's \
        (/run/hekaton/hekatond.sock).

        A daemon on another machine is reached through OpenSSH: hekatonctl --host \
        ssh://user@host[:port][/socket] COMMAND (or $HEKATON_HOST). There you act as that user; \
        the machine needs sshd, hekatonctl and your membership of the socket's group.

        Every command that prints data takes --json for scripts.

        Shell completion: hekatonctl --generate-completion-script bash|zsh|fish

        EXIT CODES
          0   success
          1   the daemon refused or failed the request (the message says why)
          64  the command line is wrong (usage error)
          65  a bundle was refused before sending (a link leaving the directory, a device, over the limit)
          69  no daemon is reachable at the socket
          74  the daemon's answer could not be read (I/O or protocol error)
          77  permission denied (not allowed to reach the socket, or not a host)
        """,
        version: HekatonVersion.current,
        // Every command states its commandName: a name derived from the type's name costs a
        // scan of every protocol conformance in the binary, per command, at every start.
        subcommands: [
            Status.self,
            History.self,
            Promote.self,
            Rollback.self,
            JobCommand.self,
            ScheduleCommand.self,
            DatasetCommand.self,
            LineageCommand.self,
            Fsck.self,
            Backup.self,
            GC.self,
            CompetitionCommand.self,
            TeamCommand.self,
            WebhookCommand.self,
            Metrics.self,
            DialStdio.self,
            ParticipantInit.self,
            Submit.self,
            UI.self,
            Submissions.self,
            Logs.self,
            Cancel.self,
            Reproduce.self,
            Select.self,
            Events.self,
            LeaderboardCommand.self,
        ]
    )

    /// `hekatonctl --host URL COMMAND ...`: the remote daemon for whatever command follows,
    /// as `$HEKATON_HOST` (each command's own --host says the same).
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--host", arguments.count >= 2 {
            setenv("HEKATON_HOST", arguments[1], 1)
            arguments.removeFirst(2)
        } else if let first = arguments.first, first.hasPrefix("--host=") {
            setenv("HEKATON_HOST", String(first.dropFirst("--host=".count)), 1)
            arguments.removeFirst()
        }
        if QuickPath.run(arguments) { return }
        main(arguments)
    }
}
