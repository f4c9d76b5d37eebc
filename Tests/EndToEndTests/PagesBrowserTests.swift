import ControlAPI
import ControlClient
import Foundation
import Testing

/// The pages in a real browser: headless Chromium driven through chromedriver's W3C
/// WebDriver API, through a real `hekatonctl ui` for each of two real users, against a real
/// daemon. Each page's screenshot is saved under `.build/ui-screenshots/` (or
/// `$HEKATON_UI_SCREENSHOTS`).
@Suite("Pages in a real browser", .serialized, .enabled(if: BrowserTools.runnable, BrowserTools.skipReason))
struct PagesBrowserTests {
    static let participant = "nobody"
    static let other = AccessRuleTests.secondUser

    @Test("Every page renders with a heading; the leaderboard equals the API's; a running stage's log advances live; another's submission is 404; the port refuses a request without the token or cookie")
    func pagesInBrowser() throws {
        try AccessRuleTests.ensureSecondUser()
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 40, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)

        // The other participant's scored entry, then the participant's own, whose training prints a line every quarter second.
        let popularity = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: popularity)
        let theirs = try submit(as: Self.other, popularity, daemon)
        try waitForState(theirs, "scored", daemon)
        let slow = daemon.root.appendingPathComponent("slow")
        try FileManager.default.copyItem(at: popularity, to: slow)
        let source = slow.appendingPathComponent("submission.py")
        try (try String(contentsOf: source, encoding: .utf8)).replacingOccurrences(
            of: "    def train(self, dataset: hekaton.Dataset) -> None:\n",
            with: "    def train(self, dataset: hekaton.Dataset) -> None:\n        import time\n        for step in range(80):\n            print(f\"training step {step}\", flush=True)\n            time.sleep(0.25)\n"
        ).write(to: source, atomically: true, encoding: .utf8)
        let mine = try submit(as: Self.participant, slow, daemon)

        let screenshots = BrowserTools.screenshotDirectory
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let driver = try ChromeDriver(root: daemon.root)
        defer { driver.stop() }
        let participantUI = try PageProxyUnderTest(user: Self.participant, daemon)
        defer { participantUI.stop() }
        let hostUI = try PageProxyUnderTest(user: nil, daemon)
        defer { hostUI.stop() }

        // The participant's browser: the token gives a cookie and a redirect without it.
        let browser = try driver.session()
        try browser.go(participantUI.url)
        #expect(try browser.script("return location.href") as? String == "http://127.0.0.1:\(participantUI.port)/ui/")
        let cookie = try #require(try browser.cookie("hekaton_ui"))
        // A request without the cookie or with the used token is refused.
        #expect(try participantUI.status("/ui/", cookie: nil) == 403)
        #expect(try participantUI.status("/ui/?token=\(participantUI.token)", cookie: nil) == 403)
        #expect(try participantUI.status("/v1/status", cookie: cookie) == 404, "only the pages are forwarded")

        let pages = ["competitions": "/ui/", "competition": "/ui/competitions/pococha", "submissions": "/ui/submissions",
                     "submission-other-refused": "/ui/submissions/\(theirs)"]
        for (name, path) in pages.sorted(by: { $0.key < $1.key }) {
            let expected = name.hasSuffix("refused") ? 404 : 200
            #expect(try participantUI.status(path, cookie: cookie) == expected, "\(path)")
            try browser.go("http://127.0.0.1:\(participantUI.port)\(path)")
            let heading = try browser.script("return document.querySelector('main h1') ? document.querySelector('main h1').textContent : ''") as? String ?? ""
            #expect(!heading.isEmpty, "\(path) has a heading")
            if name == "submission-other-refused" { #expect(heading == "No such submission", "\(heading)") }
            try browser.screenshot(to: screenshots.appendingPathComponent("participant-\(name).png"))
        }

        // The leaderboard's numbers are the API's, asked as the same participant.
        try browser.go("http://127.0.0.1:\(participantUI.port)/ui/competitions/pococha")
        let rows = try #require(try browser.script("""
            return Array.from(document.querySelectorAll('table[data-board]')[0].querySelectorAll('tbody tr'))
              .map(function (row) { return [row.dataset.submission, row.querySelector('.score').textContent]; });
            """) as? [[String]])
        let api = try participantCall("/v1/competitions/pococha/leaderboard", as: LeaderboardResponse.self, daemon)
        #expect(!api.entries.isEmpty)
        #expect(rows.count == api.entries.count, "\(rows) against \(api.entries)")
        for (row, entry) in zip(rows, api.entries) {
            #expect(row.first == "\(entry.submission)" && Double(row.last ?? "") == entry.score, "\(row) against \(entry)")
        }

        // The participant's running submission: its log's tail grows on the page while train runs.
        try waitUntil("submission \(mine) to train", timeout: .seconds(300), poll: .milliseconds(100)) {
            let info = try daemon.client.call("GET", "/v1/submissions/\(mine)", as: SubmissionInfo.self)
            try #require(info.state != "failed", "\(info.error ?? "")")
            guard info.stage == "train" else { return false }
            let (head, log) = try daemon.client.raw("GET", "/v1/submissions/\(mine)/logs?stage=train")
            return head.status == 200 && String(decoding: log, as: UTF8.self).contains("training step 2")
        }
        try browser.go("http://127.0.0.1:\(participantUI.port)/ui/submissions/\(mine)")
        #expect(try browser.script("return document.getElementById('log-tail').dataset.live") as? String == "true")
        let lastStep = "var m = document.getElementById('log-tail').textContent.match(/training step (\\d+)/g); return m ? parseInt(m[m.length - 1].split(' ')[2]) : -1"
        let first = try browser.script(lastStep) as? Int ?? -1
        try waitUntil("the page's log tail to advance past step \(first + 4)", timeout: .seconds(60), poll: .milliseconds(100)) {
            (try browser.script(lastStep) as? Int ?? -1) > first + 4
        }
        #expect(try participantUI.status("/ui/submissions/\(mine)", cookie: cookie) == 200)
        try browser.screenshot(to: screenshots.appendingPathComponent("participant-submission-live.png"))
        try waitForState(mine, "scored", daemon)
        try browser.go("http://127.0.0.1:\(participantUI.port)/ui/submissions/\(mine)")
        try browser.screenshot(to: screenshots.appendingPathComponent("participant-submission-scored.png"))
        // Its lineage, drawn by Graphviz: nodes that link to pages.
        let links = try #require(try browser.script("""
            return Array.from(document.querySelectorAll('figure svg a')).map(function (a) { return a.getAttribute('xlink:href') || a.getAttribute('href'); });
            """) as? [String])
        #expect(links.count >= 3, "\(links)")
        #expect(links.allSatisfy { $0.hasPrefix("/ui/") }, "\(links)")
        #expect(links.contains("/ui/competitions/pococha#versions"), "\(links)")

        // A host's browser: the dashboard, and any participant's submission.
        let host = try driver.session()
        try host.go(hostUI.url)
        let hostCookie = try #require(try host.cookie("hekaton_ui"))
        for (name, path) in [("dashboard", "/ui/status"), ("submission", "/ui/submissions/\(theirs)"), ("submissions", "/ui/submissions"),
                             ("competition", "/ui/competitions/pococha")] {
            #expect(try hostUI.status(path, cookie: hostCookie) == 200, "\(path)")
            try host.go("http://127.0.0.1:\(hostUI.port)\(path)")
            let heading = try host.script("return document.querySelector('main h1').textContent") as? String ?? ""
            #expect(!heading.isEmpty, "\(path)")
            try host.screenshot(to: screenshots.appendingPathComponent("host-\(name).png"))
        }
        // The history chart: one point a dataset version, as the API's history has them.
        let history = try daemon.client.call("GET", "/v1/competitions/pococha/history", as: HistoryResponse.self)
        #expect(try hostUI.status("/ui/competitions/pococha/history", cookie: hostCookie) == 200)
        try host.go("http://127.0.0.1:\(hostUI.port)/ui/competitions/pococha/history")
        let points = try host.script("return document.querySelectorAll('#history-chart svg circle.point').length") as? Int
        #expect(points == history.rows.count && points ?? 0 >= 1, "\(points ?? -1) points for \(history.rows.count) versions")
        try host.screenshot(to: screenshots.appendingPathComponent("host-history.png"))
        #expect(try participantUI.status("/ui/status", cookie: cookie) == 403, "the dashboard is for hosts")
        #expect(try participantUI.status("/ui/competitions/pococha/history", cookie: cookie) == 403, "the history is for hosts")
        print("pages' screenshots: \(screenshots.path)")
    }

    func submit(as user: String, _ bundle: URL, _ daemon: DaemonUnderTest) throws -> Int64 {
        let result = try runCommand("/usr/sbin/runuser", ["-u", user, "--", BuiltProducts.hekatonctl, "submit", "--competition", "pococha",
                                                          "--tag", user, "--json", bundle.path], environment: ["HEKATON_SOCKET": daemon.socketPath])
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
    }

    func waitForState(_ id: Int64, _ state: String, _ daemon: DaemonUnderTest) throws {
        try waitUntil("submission \(id) to be \(state)", timeout: .seconds(300), poll: .milliseconds(200)) {
            let info = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self)
            try #require(info.state != "failed", "submission \(id) failed: \(info.error ?? "")")
            return info.state == state
        }
    }

    func participantCall<Value: Decodable>(_ path: String, as type: Value.Type, _ daemon: DaemonUnderTest) throws -> Value {
        let result = try runCommand("/usr/sbin/runuser", ["-u", Self.participant, "--", "/usr/bin/curl", "-sS", "--fail", "--max-time", "60",
                                                          "--unix-socket", daemon.socketPath, "http://hekatond" + path])
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(Value.self, from: Data(result.stdout.utf8))
    }
}

/// Chromium and chromedriver from Debian's packages.
enum BrowserTools {
    static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_BROWSER"] == "1"
    static let present = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/curl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    static let runnable = present || required
    static let skipReason: Comment = "needs Debian's chromium and chromium-driver and curl; HEKATON_REQUIRE_BROWSER=1 fails instead of skipping"

    static var screenshotDirectory: URL {
        if let chosen = ProcessInfo.processInfo.environment["HEKATON_UI_SCREENSHOTS"], !chosen.isEmpty { return URL(fileURLWithPath: chosen) }
        return BuiltProducts.packageRoot.appendingPathComponent(".build/ui-screenshots")
    }
}

/// A `hekatonctl ui` as a user (nil: the test's own, a host), its URL read from what it prints.
final class PageProxyUnderTest {
    let process: Process
    let url: String
    let port: Int
    let token: String

    /// - Parameters:
    ///   - connection: how it reaches the daemon (default: `--socket` of `daemon`).
    init(user: String?, _ daemon: DaemonUnderTest, connection: [String]? = nil, environment: [String: String] = [:]) throws {
        let output = daemon.root.appendingPathComponent("ui-\(user ?? "host")-\(UUID().uuidString.prefix(6)).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let command = [BuiltProducts.hekatonctl] + (connection.map { $0 + ["ui"] } ?? ["ui", "--socket", daemon.socketPath]) + ["--no-open"]
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--"] + command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        var found: String?
        try waitUntil("hekatonctl ui to print its URL", timeout: .seconds(20)) {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init)
            try #require(found != nil || process.isRunning, "hekatonctl ui ended: \(text)")
            return found != nil
        }
        self.process = process
        url = found!
        let components = try #require(URLComponents(string: url))
        port = try #require(components.port)
        token = try #require(components.queryItems?.first { $0.name == "token" }?.value)
    }

    /// The status of a GET through the proxy, with the session cookie or none.
    func status(_ path: String, cookie: String?) throws -> Int {
        var arguments = ["-sS", "--max-time", "60", "-o", "/dev/null", "-w", "%{http_code}"]
        if let cookie { arguments += ["-H", "Cookie: hekaton_ui=\(cookie)"] }
        let result = try runCommand("/usr/bin/curl", arguments + ["http://127.0.0.1:\(port)\(path)"])
        return Int(result.stdout) ?? 0
    }

    /// Stops it as Ctrl-C would; through runuser, the hekatonctl child is signalled itself.
    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        let children = ((try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int32($0) }
        for child in children { kill(child, SIGINT) }
        kill(pid, SIGINT)
        if (try? waitUntil("hekatonctl ui to stop", timeout: .seconds(10), { !process.isRunning })) == nil {
            for child in children { kill(child, SIGKILL) }
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
    }
}

/// chromedriver on a free loopback port, and its sessions of headless Chromium.
final class ChromeDriver {
    let process = Process()
    let port: Int
    var sessions: [WebDriverSession] = []

    init(root: URL) throws {
        port = try WebhookReceiver.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        process.arguments = ["--port=\(port)"]
        let log = root.appendingPathComponent("chromedriver.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        try waitUntil("chromedriver to be ready", timeout: .seconds(30), poll: .milliseconds(100)) {
            let value = try? WebDriverSession.request("GET", "http://127.0.0.1:\(port)/status", nil)
            return (value as? [String: Any])?["ready"] as? Bool == true
        }
    }

    func session() throws -> WebDriverSession {
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["goog:chromeOptions": [
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"],
        ]]]]
        let value = try #require(try WebDriverSession.request("POST", "http://127.0.0.1:\(port)/session", capabilities) as? [String: Any])
        let id = try #require(value["sessionId"] as? String, "\(value)")
        let session = WebDriverSession(base: "http://127.0.0.1:\(port)/session/\(id)")
        sessions.append(session)
        return session
    }

    /// Closes the browsers, then asks chromedriver to shut down (a SIGTERM may find it blocked:
    /// it inherits the test thread's signal mask), killing it only if it does not.
    func stop() {
        for session in sessions { _ = try? WebDriverSession.request("DELETE", session.base, nil) }
        _ = try? runCommand("/usr/bin/curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(port)/shutdown"])
        if (try? waitUntil("chromedriver to stop", timeout: .seconds(10), { !process.isRunning })) == nil {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}

/// One browser session through the W3C WebDriver API: JSON over HTTP, here by curl.
struct WebDriverSession {
    let base: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The `value` of a WebDriver answer; an `error` in it is thrown.
    static func request(_ method: String, _ url: String, _ body: Any?) throws -> Any? {
        var arguments = ["-sS", "--max-time", "120", "-X", method]
        var input: Data?
        if let body {
            input = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        let result = try runCommand("/usr/bin/curl", arguments + [url], input: input)
        guard result.status == 0 else { throw Failure(description: "\(method) \(url): curl \(result.status) \(result.stderr)") }
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let value = object?["value"]
        if let error = (value as? [String: Any])?["error"] as? String {
            throw Failure(description: "\(method) \(url): \(error): \((value as? [String: Any])?["message"] ?? "")")
        }
        return value
    }

    func go(_ url: String) throws {
        _ = try Self.request("POST", base + "/url", ["url": url])
    }

    func script(_ source: String) throws -> Any? {
        try Self.request("POST", base + "/execute/sync", ["script": source, "args": [Any]()])
    }

    func cookie(_ name: String) throws -> String? {
        (try? Self.request("GET", base + "/cookie/\(name)", nil) as? [String: Any])?["value"] as? String
    }

    func screenshot(to file: URL) throws {
        let encoded = try #require(try Self.request("GET", base + "/screenshot", nil) as? String)
        try #require(Data(base64Encoded: encoded)).write(to: file)
    }
}
