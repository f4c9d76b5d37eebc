import ControlAPI
import Foundation
import GRDB
import Notifications
import Pipeline
import Scheduler

extension Router {
    /// Webhooks: hosts see how deliveries stand, list a webhook's deliveries and send a test.
    mutating func addWebhookRoutes(_ daemon: DaemonContext) {
        add("GET", "/v1/webhooks", .host) { _ in
            let webhooks = try await daemon.allWebhooks()
            let rows = try await daemon.database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT webhook, state, COUNT(*) AS n, MAX(delivered_at) AS last_delivered FROM webhook_delivery GROUP BY webhook, state
                    """)
            }
            let lastErrors = try await daemon.database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT webhook, last_error FROM webhook_delivery WHERE id IN (
                        SELECT MAX(id) FROM webhook_delivery WHERE last_error IS NOT NULL AND state != 'delivered' GROUP BY webhook)
                    """)
            }
            let infos = webhooks.map { webhook -> WebhookInfo in
                func count(_ state: String) -> Int {
                    rows.first { $0["webhook"] as String == webhook.name && $0["state"] as String == state }.map { $0["n"] as Int } ?? 0
                }
                var info = WebhookInfo(name: webhook.name, destination: Self.destination(webhook.url), format: webhook.format.rawValue,
                                       signed: webhook.secretFile != nil, pending: count("pending"), delivered: count("delivered"),
                                       failed: count("failed"))
                info.kinds = webhook.kinds.map { $0.map(\.rawValue).sorted() }
                info.competitions = webhook.competitions.map { $0.sorted() }
                info.lastDeliveredAt = rows.first { $0["webhook"] as String == webhook.name && $0["state"] as String == "delivered" }
                    .flatMap { $0["last_delivered"] as Date? }.map { RFC3339.string($0) }
                info.lastError = lastErrors.first { $0["webhook"] as String == webhook.name }?["last_error"]
                return info
            }
            return .json(WebhookList(webhooks: infos))
        }
        add("GET", "/v1/webhooks/{name}/deliveries", .host) { request in
            let webhook = try await daemon.webhook(named: request.parameters["name"] ?? "")
            var request_ = WebhookDelivery.filter(Column("webhook") == webhook.name)
            if let state = request.query["state"] {
                guard WebhookDelivery.State(rawValue: state) != nil else {
                    throw Problem(title: "Bad state", status: 400, detail: "state '\(state.prefix(24))' is none of pending, delivered, failed")
                }
                request_ = request_.filter(Column("state") == state)
            }
            let limit = try request.doubleQuery("limit", default: 100, in: 1...1000)
            let deliveries = try await daemon.database.read { [request_] db in
                let deliveries = try request_.order(Column("id").desc).limit(Int(limit)).fetchAll(db)
                let kinds = Dictionary(uniqueKeysWithValues: try Event.fetchAll(db, keys: deliveries.map(\.eventID)).map { ($0.id!, $0.kind.rawValue) })
                return deliveries.map { delivery in
                    var info = WebhookDeliveryInfo(key: delivery.key, event: delivery.eventID, state: delivery.state.rawValue, attempts: delivery.attempts)
                    info.kind = kinds[delivery.eventID]
                    info.lastStatus = delivery.lastStatus
                    info.lastError = delivery.lastError
                    info.deliveredAt = delivery.deliveredAt.map { RFC3339.string($0) }
                    info.nextAttemptAt = delivery.state == .pending ? RFC3339.string(delivery.nextAttemptAt) : nil
                    return info
                }
            }
            return .json(WebhookDeliveryList(webhook: webhook.name, deliveries: deliveries))
        }
        add("POST", "/v1/webhooks/{name}/test", .host) { request in
            let webhook = try await daemon.webhook(named: request.parameters["name"] ?? "")
            guard let dispatcher = daemon.webhooks else { throw Problem(title: "No webhooks", status: 404, detail: "no webhooks are configured") }
            var event = Event(at: Date(), kind: .webhookTest, competition: nil,
                              message: "a test from hekatond: this webhook (\(webhook.name)) is reached", data: [:])
            event.id = 0
            let outcome = await dispatcher.send(webhook, event: event, key: "\(webhook.name)-test-\(Int(Date().timeIntervalSince1970))")
            return .json(WebhookTestResult(webhook: webhook.name, delivered: outcome.error == nil, status: outcome.status, error: outcome.error))
        }
    }

    /// `https://hooks.example.com/…`: the URL without its path, which may hold a secret.
    static func destination(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "?" }
        return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")/…"
    }
}

extension DaemonContext {
    /// The configuration's webhooks, then the competitions' as their latest publications name them.
    func allWebhooks() async throws -> [Webhook] {
        let competitions = try await database.read { db in try CompetitionWebhooks.all(db) }
        return (webhooks?.configured ?? []) + competitions
    }

    func webhook(named name: String) async throws -> Webhook {
        guard let webhook = try await allWebhooks().first(where: { $0.name == name }) else {
            throw Problem(title: "No such webhook", status: 404,
                          detail: "no webhook named '\(name.prefix(64))'; `hekatonctl webhook list` shows them (webhooks: in hekatond.yaml, or in a competition's hekaton.yaml as COMPETITION:NAME)")
        }
        return webhook
    }
}
