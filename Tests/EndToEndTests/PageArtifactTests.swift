import ControlAPI
import ControlClient
import Foundation
import Testing

/// An artifact build's page and its output's downloads, through the real daemon: what it was
/// built from, its lineage drawn, its files streamed; nothing outside its output, and hosts only.
@Suite("The artifact page", .serialized)
struct PageArtifactTests {
    @Test("A built artifact's page lists its files and draws its lineage; a download streams the batch output; paths out of it, links and participants are refused")
    func artifactPage() throws {
        try AccessRuleTests.ensureSecondUser()
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 40, livers: 10)
        defer { daemon.stop() }
        let competition = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let submitted = try hekatonctl(["submit", "--competition", "pococha", "--json", bundle.path], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8)).id
        try waitUntil("submission \(id) to be scored and production", timeout: .seconds(300), poll: .milliseconds(200)) {
            let state = try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state
            try #require(state != "failed", "the submission failed")
            return state == "scored"
        }
        let run = try hekatonctl(["schedule", "run", "pococha.artifact", "--logical-time", "2026-11-28T05:00:00+09:00", "--wait"], socket: daemon.socketPath)
        try #require(run.status == 0, "\(run.stdout)\(run.stderr)")
        let built = try #require(try daemon.client.call("GET", "/v1/status", as: StatusResponse.self).competitions.first?.lastArtifact)
        try #require(built.state == "succeeded", "\(built.error ?? "")")
        func get(_ path: String) throws -> (Int, String) {
            let (head, body) = try daemon.client.raw("GET", path)
            return (head.status, String(decoding: body, as: UTF8.self))
        }

        let page = "/ui/competitions/pococha/artifacts/\(built.id)"
        let (status, html) = try get(page)
        #expect(status == 200 && html.contains("recommendations.jsonl") && html.contains("/download?file=recommendations.jsonl"), "\(html.prefix(2000))")
        #expect(html.contains("submission \(id)") && html.contains("<svg"), "its model, and its lineage drawn")
        #expect(html.contains("href=\"/ui/submissions/\(id)#stages\""), "the lineage's nodes link to their pages")
        #expect(try get("/ui/competitions/pococha/history").1.contains("href=\"\(page)\""), "the history links each build")

        let (downloaded, bytes) = try daemon.client.raw("GET", page + "/download?file=recommendations.jsonl")
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: try #require(built.path) + "/files/recommendations.jsonl"))
        #expect(downloaded.status == 200 && Data(bytes) == onDisk && !onDisk.isEmpty, "the batch output, byte for byte")
        #expect(downloaded.header("content-disposition") == "attachment; filename=\"recommendations.jsonl\"")

        // Nothing outside the output: a climb, an absolute path, a link planted in it, a missing file.
        try FileManager.default.createSymbolicLink(atPath: try #require(built.path) + "/files/escape", withDestinationPath: "/etc/passwd")
        for (file, expected) in [("../../../../hekatond.yaml", 400), ("/etc/passwd", 400), ("escape", 404), ("missing.jsonl", 404), ("", 400)] {
            let (head, body) = try daemon.client.raw("GET", page + "/download?file=\(file)")
            #expect(head.status == expected, "\(file): \(head.status) \(String(decoding: body, as: UTF8.self).prefix(300))")
            #expect(!String(decoding: body, as: UTF8.self).contains("root:"), "no byte of /etc/passwd")
        }
        #expect(try get("/ui/competitions/pococha/artifacts/999999").0 == 404)
        #expect(try get("/ui/competitions/pococha/artifacts/x").0 == 400)

        // In a real browser, when there is one: the page renders, its files and its lineage link on.
        if BrowserTools.runnable {
            let driver = try ChromeDriver(root: daemon.root)
            defer { driver.stop() }
            let ui = try PageProxyUnderTest(user: nil, daemon)
            defer { ui.stop() }
            let browser = try driver.session()
            try browser.go(ui.url)
            try browser.go("http://127.0.0.1:\(ui.port)\(page)")
            let heading = try browser.script("return document.querySelector('main h1').textContent") as? String ?? ""
            #expect(heading == "Artifact build \(built.id) of pococha", "\(heading)")
            let downloads = try browser.script("return Array.from(document.querySelectorAll('a[download]')).map(function (a) { return a.textContent; })") as? [String]
            #expect(downloads?.contains("recommendations.jsonl") == true, "\(downloads ?? [])")
            let links = try browser.script("return document.querySelectorAll('figure svg a').length") as? Int ?? 0
            #expect(links >= 3, "the lineage's nodes link on: \(links)")
            let screenshots = BrowserTools.screenshotDirectory
            try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
            try browser.screenshot(to: screenshots.appendingPathComponent("host-artifact.png"))
        }

        // Hosts only, as the API's history.
        for path in [page, page + "/download?file=recommendations.jsonl"] {
            let participant = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                                   "--unix-socket", daemon.socketPath, "http://hekatond\(path)"])
            #expect(participant.stdout == "403", "\(path): \(participant.stdout) \(participant.stderr)")
        }
    }
}
