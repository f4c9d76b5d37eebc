import ControlAPI
import ControlClient
import Foundation
import Testing

/// Metrics through the real daemon, checked by Prometheus's own tools: `promtool check
/// metrics` accepts the exposition, and a real Prometheus scraping the daemon's listener
/// answers a query for the submission counter once a submission has been scored.
@Suite("Metrics end to end", .serialized, .enabled(if: PrometheusTools.runnable, PrometheusTools.skipReason))
struct MetricsEndToEndTests {
    @Test("promtool accepts the exposition; a real Prometheus scrapes the listener and counts the scored submission; ids never become labels; hosts only on the socket")
    func scrapedByPrometheus() throws {
        let port = try WebhookReceiver.freePort()
        let daemon = try DaemonUnderTest.withPocochaDay(configuration: "metrics: {listen: 127.0.0.1:\(port)}\n", listeners: 40, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)

        // Prometheus scrapes every second from the start, so the counter's rise is in its store.
        let prometheusPort = try WebhookReceiver.freePort()
        let prometheus = try PrometheusServer(root: daemon.root.appendingPathComponent("prometheus"), port: prometheusPort, target: "127.0.0.1:\(port)")
        defer { prometheus.stop() }
        try waitUntil("Prometheus to find the daemon's listener up", timeout: .seconds(60), poll: .milliseconds(250)) {
            try prometheus.query("up{job=\"hekatond\"}") == 1
        }

        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let submitted = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", BuiltProducts.hekatonctl, "submit", "--competition", "pococha",
                                                             "--json", bundle.path], environment: ["HEKATON_SOCKET": daemon.socketPath])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8)).id
        try waitUntil("submission \(id) to be scored", timeout: .seconds(300), poll: .milliseconds(200)) {
            let state = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state
            try #require(state != "failed", "the submission failed")
            return state == "scored"
        }
        try waitUntil("Prometheus to hold the scored submission", timeout: .seconds(60), poll: .milliseconds(250)) {
            try prometheus.query("hekaton_submissions_total{outcome=\"scored\"}") == 1
        }
        #expect(try prometheus.query("sum(hekaton_job_attempts_total{stage=\"train\",result=\"succeeded\"})") == 1)
        #expect(try prometheus.query("hekaton_job_duration_seconds_count{stage=\"score\"}") ?? 0 >= 1)

        // The socket's exposition, as hosts read it, passes Prometheus's linter.
        let text = try hekatonctl(["metrics"], socket: daemon.socketPath)
        try #require(text.status == 0, "\(text.stderr)")
        let file = daemon.root.appendingPathComponent("metrics.txt")
        try text.stdout.write(to: file, atomically: true, encoding: .utf8)
        let lint = try runCommand("/bin/sh", ["-c", "promtool check metrics < '\(file.path)'"])
        #expect(lint.status == 0, "promtool: \(lint.stdout) \(lint.stderr)")
        for line in [#"hekaton_jobs{queue="train",state="succeeded"} 1.0"#, #"route="/v1/competitions/{name}/submissions",status="201"}"#,
                     #"hekaton_job_duration_seconds_bucket{stage="train""#, "hekaton_start_time_seconds "] {
            #expect(text.stdout.contains(line), "\(line) in\n\(text.stdout)")
        }
        // No label carries an id: no value of any label but status and le is a number.
        let pairs = text.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.flatMap { line -> [Substring] in
            guard let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}") else { return [] }
            return line[line.index(after: open)..<close].split(separator: ",").filter { !$0.hasPrefix("status=") && !$0.hasPrefix("le=") }
        }
        #expect(pairs.count > 10)
        for pair in pairs {
            let value = pair.split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? ""
            #expect(Double(value) == nil && !value.isEmpty, "a label whose value is a number (an id?): \(pair)")
        }

        // On the socket, hosts only; the listener serves /metrics and nothing else.
        let participant = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", BuiltProducts.hekatonctl, "metrics"],
                                         environment: ["HEKATON_SOCKET": daemon.socketPath])
        #expect(participant.status == 77 && participant.stderr.contains("for hosts"), "\(participant.stderr)")
        let other = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/v1/status"])
        #expect(other.stdout == "404")
        let post = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:\(port)/metrics"])
        #expect(post.stdout == "405")
    }
}

/// promtool and prometheus from Debian's `prometheus` package.
enum PrometheusTools {
    static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_PROMETHEUS"] == "1"
    static let present = ["/usr/bin/promtool", "/usr/bin/prometheus", "/usr/bin/curl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    static let runnable = present || required
    static let skipReason: Comment = "needs Debian's prometheus package (promtool, prometheus) and curl; HEKATON_REQUIRE_PROMETHEUS=1 fails instead of skipping"
}

/// A real Prometheus on loopback, scraping one target every second, its store in `root`.
final class PrometheusServer {
    let process = Process()
    let port: Int
    let log: URL

    init(root: URL, port: Int, target: String) throws {
        self.port = port
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let configuration = root.appendingPathComponent("prometheus.yml")
        try """
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: hekatond
                static_configs: [{targets: ["\(target)"]}]
            """.write(to: configuration, atomically: true, encoding: .utf8)
        log = root.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = ["--config.file=\(configuration.path)", "--storage.tsdb.path=\(root.appendingPathComponent("data").path)",
                             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// The query's single value now, or nil while it has none (or Prometheus is not up yet).
    func query(_ expression: String) throws -> Double? {
        guard process.isRunning else {
            throw PrometheusFailed(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        let answer = try runCommand("/usr/bin/curl", ["-s", "--max-time", "5", "-G", "http://127.0.0.1:\(port)/api/v1/query",
                                                      "--data-urlencode", "query=\(expression)"])
        guard answer.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String else { return nil }
        return Double(text)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct PrometheusFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "prometheus exited: \(log.suffix(2000))" }
    }
}
