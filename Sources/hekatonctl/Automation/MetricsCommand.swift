import ArgumentParser
import ControlClient

/// `hekatonctl metrics`: what a Prometheus scraper gets, read over the socket.
struct Metrics: DaemonCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's Prometheus metrics, as a scraper gets them (hosts only).",
        discussion: """
        The queue by queue and state, job attempts and their durations by stage, sandbox limits hit, \
        submissions, rounds, ingestions and artifact builds by outcome, each competition's artifact age, \
        schedule lag and the control API's requests by route and status. For a scraper, set \
        metrics: {listen: 127.0.0.1:9464} in hekatond.yaml; `promtool check metrics` accepts this output:
          hekatonctl metrics | promtool check metrics
        """)
    @OptionGroup var connection: ClientOptions

    func run(client: ControlClient, output: Output) throws {
        try client.stream("GET", "/metrics") { chunk in Terminal.write(chunk) }
    }
}
