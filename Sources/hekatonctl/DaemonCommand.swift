import ArgumentParser
import ControlClient

/// A command that talks to the daemon. Its `run()` finds the socket (--socket, then the
/// environment, then the usual places) and reports every failure with its documented exit
/// code, through `reportingFailures`, so the commands themselves only say what they do.
protocol DaemonCommand: ParsableCommand {
    var connection: ClientOptions { get }
    /// Text for people; JSON for a command that prints data and was given --json.
    var output: Output { get }
    func run(client: ControlClient, output: Output) throws
}

/// A `DaemonCommand` that prints data, and so takes --json.
protocol PrintsJSON: DaemonCommand {
    associatedtype Help: JSONHelp
    var format: OutputOptions<Help> { get }
}

extension DaemonCommand {
    var output: Output { .text }

    func run() throws {
        try withDaemon(socket: connection.socket, host: connection.host) { try run(client: $0, output: output) }
    }
}

/// Reaches the daemon (--host or $HEKATON_HOST over ssh; else --socket, the environment, then
/// the usual places) and runs `body` with it, reporting every failure with its exit code.
func withDaemon(socket: String?, host: String?, _ body: (ControlClient) throws -> Void) throws {
    try reportingFailures {
        if let remote = try ClientOptions.remote(host: host, socket: socket) {
            try body(ControlClient(remote: remote))
            return
        }
        let located = ControlClient.locate(explicit: socket)
        try reportingFailures(searched: located.searched) {
            try body(ControlClient(socketPath: located.path))
        }
    }
}

extension PrintsJSON {
    var output: Output { format.output }
}

/// How a command prints what it got.
enum Output {
    /// Lines and tables for a terminal.
    case text
    /// The API's JSON, for scripts.
    case json
}

/// --json, with the help line that says what the command prints.
struct OutputOptions<Help: JSONHelp>: ParsableArguments {
    @Flag(help: ArgumentHelp(Help.text)) var json = false

    var output: Output { json ? .json : .text }
}

/// The help of a command's --json.
protocol JSONHelp {
    static var text: String { get }
}

/// What most commands say.
enum PlainJSON: JSONHelp { static let text = "Print JSON." }
enum StatusJSON: JSONHelp { static let text = "Print JSON for scripts." }
enum JobJSON: JSONHelp { static let text = "Print the job as JSON." }
enum VersionJSON: JSONHelp { static let text = "Print the version as JSON." }
enum AnswerJSON: JSONHelp { static let text = "Print the daemon's answer as JSON." }
enum ScaffoldJSON: JSONHelp { static let text = "Print the directory and the files written as JSON." }
enum ExtractedJSON: JSONHelp { static let text = "Print the directory and what was extracted as JSON." }
enum PreviewJSON: JSONHelp {
    static let text = "Print JSON: {\"expression\", \"timeZone\", \"next\": [RFC 3339 UTC instants]}."
}
