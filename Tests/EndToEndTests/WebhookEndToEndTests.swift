import ControlAPI
import ControlClient
import Foundation
import Testing

/// Webhooks through the real daemon and a real HTTP receiver that is down, then up, then slow,
/// with a restart of the daemon in the middle.
@Suite("Webhooks", .serialized)
struct WebhookEndToEndTests {
    @Test("Every event reaches its webhook once (signed, in order) after the receiver was down and the daemon restarted; a slow receiver holds up no job; Slack's gets its kinds as text")
    func deliveries() throws {
        let port = try WebhookReceiver.freePort()
        let receiver = WebhookReceiver(port: port)
        defer { receiver.stop() }
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let secretFile = root.appendingPathComponent("webhook.secret")
        try "s3cret-\(UUID().uuidString)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let secret = try String(contentsOf: secretFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let configuration = """
            socket_mode: "0666"
            webhooks:
              - {name: ops, url: "http://127.0.0.1:\(port)/hook", secret_file: \(secretFile.path)}
              - {name: chat, url: "http://127.0.0.1:\(port)/slack", format: slack, kinds: [submission.failed]}
            """
        var daemon = try DaemonUnderTest(root: root, configuration: configuration)
        defer { daemon.stop() }
        let day = root.appendingPathComponent("day")
        _ = try runCommand("/usr/bin/env", ["python3", AccessRuleTests.examples.appendingPathComponent("generate.py").path,
                                            "--day", "2026-11-28", "--out", day.path, "--listeners", "40", "--livers", "10"])
        #expect(try hekatonctl(["dataset", "register", "pococha-daily", day.path], socket: daemon.socketPath).status == 0)
        let competition = try ExampleCompetition.copy(to: root.appendingPathComponent("competition"))
        #expect(try hekatonctl(["competition", "publish", competition.path], socket: daemon.socketPath).status == 0)
        let popularity = root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: popularity)
        let broken = root.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: popularity, to: broken)
        let source = broken.appendingPathComponent("submission.py")
        try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "def train(self, dataset", with: "def train(self, dataset, *_):\n        raise ValueError('diverged')\n    def unused(self, dataset")
            .write(to: source, atomically: true, encoding: .utf8)
        func submit(_ bundle: URL, _ daemon: DaemonUnderTest) throws -> Int64 {
            let result = try hekatonctl(["submit", "--competition", "pococha", "--json", bundle.path], socket: daemon.socketPath)
            try #require(result.status == 0, "\(result.stderr)")
            return try JSONDecoder().decode(SubmissionInfo.self, from: Data(result.stdout.utf8)).id
        }
        func ended(_ id: Int64, _ daemon: DaemonUnderTest) throws {
            try waitUntil("submission \(id) to end", timeout: .seconds(300), poll: .milliseconds(200)) {
                ["scored", "failed"].contains(try daemon.client.call("GET", "/v1/submissions/\(id)", as: SubmissionInfo.self).state)
            }
        }
        // The receiver is down: the events wait, and are tried.
        for bundle in [popularity, broken] { try ended(try submit(bundle, daemon), daemon) }
        try waitUntil("a failed attempt at the down receiver", timeout: .seconds(60), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/webhooks/ops/deliveries", as: WebhookDeliveryList.self).deliveries.contains { $0.attempts >= 1 }
        }
        let waiting = try daemon.client.call("GET", "/v1/webhooks", as: WebhookList.self).webhooks.first { $0.name == "ops" }
        #expect(waiting?.delivered == 0 && (waiting?.pending ?? 0) > 0 && waiting?.lastError != nil, "\(String(describing: waiting))")
        #expect(receiver.requests.isEmpty)

        // A restart in the middle loses nothing.
        daemon.stop()
        try? FileManager.default.removeItem(atPath: daemon.notify.path)
        daemon = try DaemonUnderTest(root: root, configuration: configuration)
        try receiver.start()
        let events = try daemon.client.call("GET", "/v1/events?limit=1000", as: EventList.self).events
        try waitUntil("every event delivered to ops", timeout: .seconds(120), poll: .milliseconds(200)) {
            let ops = try daemon.client.call("GET", "/v1/webhooks", as: WebhookList.self).webhooks.first { $0.name == "ops" }
            return ops?.pending == 0 && ops?.delivered == events.count
        }
        let opsRequests = receiver.requests.filter { $0.path == "/hook" }
        let keys = opsRequests.compactMap { $0.headers["x-hekaton-delivery"] }
        #expect(keys.count == events.count && Set(keys).count == keys.count, "each event once: \(keys)")
        let deliveredIDs = try opsRequests.map { request -> Int64 in
            let payload = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            return ((payload?["event"] as? [String: Any])?["id"] as? NSNumber)?.int64Value ?? -1
        }
        #expect(deliveredIDs == events.map(\.id), "in order, all of them: \(deliveredIDs) against \(events.map(\.id))")
        for request in opsRequests {
            let mac = try runCommand("/usr/bin/openssl", ["dgst", "-sha256", "-hmac", secret, "-r"], input: Data(request.body)).stdout
                .split(separator: " ").first.map(String.init) ?? ""
            #expect(request.headers["x-hekaton-signature-256"] == "sha256=" + mac, "the signature verifies")
            #expect(request.headers["x-hekaton-event"] != nil)
        }
        let chat = receiver.requests.filter { $0.path == "/slack" }
        #expect(chat.count == 1 && chat.allSatisfy { $0.text.hasPrefix("{\"text\":\"[pococha] submission.failed: ") }, "\(chat.map(\.text))")

        // A receiver slower than the request timeout: the queue goes on without it, and its
        // deliveries wait (retried, the same key each time) until it answers in time again.
        receiver.answer(after: 30)
        let third = try submit(popularity, daemon)
        try ended(third, daemon)
        #expect(try daemon.client.call("GET", "/v1/submissions/\(third)", as: SubmissionInfo.self).state == "scored")
        let scoredEvent = try #require(try daemon.client.call("GET", "/v1/events?kind=submission.scored&limit=1000", as: EventList.self)
            .events.last { $0.data["submission"] == "\(third)" })
        var held: WebhookDeliveryInfo?
        try waitUntil("the scored event's delivery to be taken in", timeout: .seconds(30), poll: .milliseconds(100)) {
            held = try daemon.client.call("GET", "/v1/webhooks/ops/deliveries", as: WebhookDeliveryList.self).deliveries
                .first { $0.event == scoredEvent.id }
            return held != nil
        }
        #expect(held?.state == "pending", "its event waits for the receiver; the submission did not: \(String(describing: held))")
        receiver.answer(after: 0)
        try waitUntil("the deliveries held by the slow receiver", timeout: .seconds(180), poll: .milliseconds(200)) {
            try daemon.client.call("GET", "/v1/webhooks", as: WebhookList.self).webhooks.first { $0.name == "ops" }?.pending == 0
        }
        #expect(receiver.requests.contains { $0.text.contains("\"submission\":\"\(third)\"") })

        let test = try hekatonctl(["webhook", "test", "ops"], socket: daemon.socketPath)
        #expect(test.status == 0 && test.stdout.contains("ops: delivered (HTTP 200)"), "\(test.stdout)\(test.stderr)")
        let list = try hekatonctl(["webhook", "list"], socket: daemon.socketPath)
        #expect(list.stdout.contains("http://127.0.0.1:\(port)/…") && !list.stdout.contains("/hook"), "the path stays out of sight: \(list.stdout)")
        let unknown = try hekatonctl(["webhook", "deliveries", "nope"], socket: daemon.socketPath)
        #expect(unknown.status != 0 && unknown.stderr.contains("no webhook named 'nope'"))
        try daemon.expectHealthyStore()
    }

    @Test("A competition's own webhook (from its manifest, its secret a private file) hears that competition's events, signed, from its publication on; one not private, or unreadable, publishes nothing")
    func competitionWebhook() throws {
        let port = try WebhookReceiver.freePort()
        let receiver = WebhookReceiver(port: port)
        try receiver.start()
        defer { receiver.stop() }
        let daemon = try DaemonUnderTest.withPocochaDay(listeners: 40, livers: 10)
        defer { daemon.stop() }
        let secret = "competition-\(UUID().uuidString)"
        func competition(_ name: String, secretPrivate: Bool = true, writeSecret: Bool = true) throws -> URL {
            let directory = try ExampleCompetition.copy(to: daemon.root.appendingPathComponent(name + "-\(UUID().uuidString.prefix(6))")) { text in
                var text = text.replacingOccurrences(of: "name: pococha\n", with: "name: \(name)\n")
                if secretPrivate {
                    text = text.replacingOccurrences(of: "private: [host/world.py,", with: "private: [secrets, host/world.py,")
                }
                return text + "\nwebhooks:\n  - {name: ops, url: \"http://127.0.0.1:\(port)/\(name)\", secret_file: secrets/ops.secret, kinds: [submission.scored, submission.failed]}\n"
            }
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("secrets"), withIntermediateDirectories: true)
            if writeSecret { try (secret + "\n").write(to: directory.appendingPathComponent("secrets/ops.secret"), atomically: true, encoding: .utf8) }
            return directory
        }
        // Refused, publishing nothing: a secret participants could see, and one that is missing.
        let open = try hekatonctl(["competition", "publish", try competition("open", secretPrivate: false).path], socket: daemon.socketPath)
        #expect(open.status != 0 && open.stderr.contains("secret_file secrets/ops.secret is not private"), "\(open.stderr)")
        let missing = try hekatonctl(["competition", "publish", try competition("missing", writeSecret: false).path], socket: daemon.socketPath)
        #expect(missing.status != 0 && missing.stderr.contains("does not exist in the competition directory"), "\(missing.stderr)")
        #expect(try daemon.client.call("GET", "/v1/webhooks", as: WebhookList.self).webhooks.isEmpty)

        #expect(try hekatonctl(["competition", "publish", try competition("pococha").path], socket: daemon.socketPath).status == 0)
        #expect(try hekatonctl(["competition", "publish", try competition("other").path], socket: daemon.socketPath).status == 0)
        let names = try daemon.client.call("GET", "/v1/webhooks", as: WebhookList.self).webhooks.map(\.name)
        #expect(names == ["other:ops", "pococha:ops"], "\(names)")
        let bundle = daemon.root.appendingPathComponent("popularity")
        try FileManager.default.copyItem(at: AccessRuleTests.examples.appendingPathComponent("submissions/popularity"), to: bundle)
        let submitted = try hekatonctl(["submit", "--competition", "pococha", "--json", bundle.path], socket: daemon.socketPath)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = try JSONDecoder().decode(SubmissionInfo.self, from: Data(submitted.stdout.utf8)).id
        try waitUntil("the scored event at pococha's receiver", timeout: .seconds(300), poll: .milliseconds(200)) {
            receiver.requests.contains { $0.path == "/pococha" }
        }
        let got = receiver.requests
        #expect(got.count == 1 && got[0].text.contains("\"submission\":\"\(id)\"") && got[0].text.contains("\"webhook\":\"pococha:ops\""), "\(got.map(\.text))")
        let mac = try runCommand("/usr/bin/openssl", ["dgst", "-sha256", "-hmac", secret, "-r"], input: Data(got[0].body)).stdout
            .split(separator: " ").first.map(String.init) ?? ""
        #expect(got[0].headers["x-hekaton-signature-256"] == "sha256=" + mac, "signed with the competition's secret")
        #expect(!got.contains { $0.path == "/other" }, "the other competition's webhook hears only its own")
        let deliveries = try hekatonctl(["webhook", "deliveries", "pococha:ops"], socket: daemon.socketPath)
        #expect(deliveries.status == 0 && deliveries.stdout.contains("delivered"), "\(deliveries.stdout)\(deliveries.stderr)")
    }

    @Test("A webhook whose secret cannot be read keeps the daemon from starting, saying why")
    func unreadableSecret() throws {
        let daemon = try DaemonUnderTest(configuration: """
            webhooks:
              - {name: ops, url: "http://127.0.0.1:9/hook", secret_file: /nonexistent/hekaton.secret}
            """, waitForReady: false)
        defer { daemon.stop() }
        let status = try daemon.waitForExit()
        #expect(status != 0)
        #expect(daemon.log.contains("webhook ops: its secret_file /nonexistent/hekaton.secret cannot be read"), "\(daemon.log)")
    }
}
