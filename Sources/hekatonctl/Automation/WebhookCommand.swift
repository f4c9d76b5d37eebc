import ArgumentParser
import ControlAPI
import ControlClient

extension Hekatonctl {
    struct WebhookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook",
            abstract: "The webhooks events are sent to (hosts): how their deliveries stand, each delivery, a test.",
            discussion: """
            Webhooks are configured in hekatond.yaml (webhooks:), each with a url, a format \
            (json, signed with HMAC-SHA256 in X-Hekaton-Signature-256 when it has a secret_file; \
            or slack) and the event kinds and competitions it wants. Every wanted event is \
            delivered at least once, in order, with the same X-Hekaton-Delivery key on every \
            retry; a failing receiver is retried with backoff (1 s doubling to 5 min) and given up \
            after 50 attempts; nothing is lost across restarts.
            """,
            subcommands: [List.self, Deliveries.self, Test.self])
    }
}

extension Hekatonctl.WebhookCommand {
    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the webhooks with their delivered, pending and failed counts.")
        @OptionGroup var connection: ClientOptions
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let list: WebhookList = try client.call("GET", "/v1/webhooks")
            if output == .json { try printJSON(list); return }
            if list.webhooks.isEmpty { print("no webhooks (webhooks: in hekatond.yaml)"); return }
            var table = TextTable(["NAME", "TO", "FORMAT", "SIGNED", "DELIVERED", "PENDING", "FAILED", "LAST DELIVERED", "WANTS"])
            for w in list.webhooks {
                let wants = [w.kinds?.joined(separator: ","), w.competitions?.joined(separator: ",")].compactMap { $0 }.joined(separator: " in ")
                table.add([w.name, w.destination, w.format, w.signed ? "yes" : "no", "\(w.delivered)", "\(w.pending)", "\(w.failed)",
                           w.lastDeliveredAt ?? "-", wants.isEmpty ? "everything" : wants])
            }
            print(table.render())
            for w in list.webhooks where w.lastError != nil && (w.pending > 0 || w.failed > 0) {
                print("\(w.name): last failure: \(w.lastError!)")
            }
        }
    }

    struct Deliveries: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "A webhook's deliveries, newest first, with their attempts and last error.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The webhook's name.") var name: String
        @Flag(help: "Only the ones given up on.") var failed = false
        @Flag(help: "Only the ones still being tried.") var pending = false
        @Option(help: "At most this many (1 to 1000).") var limit = 50
        @OptionGroup var format: OutputOptions<PlainJSON>

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit takes 1 to 1000") }
            if failed && pending { throw ValidationError("--failed or --pending, not both") }
        }

        func run(client: ControlClient, output: Output) throws {
            var path = "/v1/webhooks/\(name.pathEscaped)/deliveries?limit=\(limit)"
            if failed { path += "&state=failed" }
            if pending { path += "&state=pending" }
            let list: WebhookDeliveryList = try client.call("GET", path)
            if output == .json { try printJSON(list); return }
            if list.deliveries.isEmpty { print("no deliveries"); return }
            var table = TextTable(["KEY", "EVENT", "KIND", "STATE", "ATTEMPTS", "STATUS", "DELIVERED / NEXT TRY", "LAST ERROR"])
            for d in list.deliveries {
                table.add([d.key, "\(d.event)", d.kind ?? "-", d.state, "\(d.attempts)", d.lastStatus.map { "\($0)" } ?? "-",
                           d.deliveredAt ?? d.nextAttemptAt ?? "-", d.lastError.map { String($0.prefix(80)) } ?? "-"])
            }
            print(table.render())
        }
    }

    struct Test: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Send a webhook.test event to a webhook now and say what it answered.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The webhook's name.") var name: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let result: WebhookTestResult = try client.call("POST", "/v1/webhooks/\(name.pathEscaped)/test")
            if output == .json { try printJSON(result) } else if result.delivered {
                print("\(result.webhook): delivered (\(result.status.map { "HTTP \($0)" } ?? "ok"))")
            }
            guard result.delivered else {
                throw CommandFailure(message: "\(result.webhook): not delivered: \(result.error ?? "no answer")", exitCode: 1)
            }
        }
    }
}
