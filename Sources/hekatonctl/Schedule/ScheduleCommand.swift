import ArgumentParser

extension Hekatonctl {
    struct ScheduleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Cron schedules: preview, add, list, show, remove, suspend, resume, run now.",
            subcommands: [Next.self, Add.self, List.self, Show.self, Remove.self, Suspend.self, Resume.self, Run.self]
        )
    }
}
