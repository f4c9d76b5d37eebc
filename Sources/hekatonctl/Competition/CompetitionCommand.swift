import ArgumentParser

extension Hekatonctl {
    struct CompetitionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "competition",
            abstract: "Competitions, for hosts: scaffold, publish, list, show, close.",
            discussion: """
            A competition is a directory with a manifest, hekaton.yaml: the metric, the dataset \
            layout (training data; evaluation features and labels), the host's entrypoints for \
            the train, predict, score and artifact stages, limits, submission rules, schedules, \
            and a template that participants start from.
            """,
            subcommands: [Init.self, Publish.self, List.self, Show.self, Close.self]
        )
    }
}
