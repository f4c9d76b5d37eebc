import ArgumentParser

/// Benchmarks that print figures. Run by hand in release mode:
/// `swift run -c release hekaton-bench <subcommand>`. Tests never assert timings.
@main
struct HekatonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hekaton-bench",
        abstract: "Measure Hekaton's hot paths and print the figures.",
        subcommands: [
            // Each benchmark is a subcommand in its own file.
            CronBench.self,
            CtlBench.self,
            IdleBench.self,
            IdleFloor.self,
            LineageBench.self,
            QueueBench.self,
            RescoreBench.self,
            SandboxBench.self,
        ]
    )
}
