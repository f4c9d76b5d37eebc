import ArgumentParser
import ControlAPI

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
}
