/// `GET /v1/webhooks`: the configured webhooks and how their deliveries stand.
public struct WebhookInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The receiver's scheme and host only: a URL's path may hold its secret (Slack's does).
    public var destination: String
    public var format: String
    public var signed: Bool
    public var kinds: [String]?
    public var competitions: [String]?
    public var pending: Int
    public var delivered: Int
    public var failed: Int
    public var lastDeliveredAt: String?
    public var lastError: String?

    public init(name: String, destination: String, format: String, signed: Bool, pending: Int, delivered: Int, failed: Int) {
        self.name = name
        self.destination = destination
        self.format = format
        self.signed = signed
        self.pending = pending
        self.delivered = delivered
        self.failed = failed
    }
}

public struct WebhookList: Codable, Sendable, Equatable {
    public var webhooks: [WebhookInfo]
    public init(webhooks: [WebhookInfo]) { self.webhooks = webhooks }
}

/// One event's delivery to one webhook.
public struct WebhookDeliveryInfo: Codable, Sendable, Equatable {
    /// The idempotency key the receiver sees in `X-Hekaton-Delivery`.
    public var key: String
    public var event: Int64
    public var kind: String?
    public var state: String
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: String?
    public var nextAttemptAt: String?

    public init(key: String, event: Int64, state: String, attempts: Int) {
        self.key = key
        self.event = event
        self.state = state
        self.attempts = attempts
    }
}

public struct WebhookDeliveryList: Codable, Sendable, Equatable {
    public var webhook: String
    public var deliveries: [WebhookDeliveryInfo]
    public init(webhook: String, deliveries: [WebhookDeliveryInfo]) {
        self.webhook = webhook
        self.deliveries = deliveries
    }
}

/// `POST /v1/webhooks/{name}/test`: what the receiver answered to a `webhook.test` event.
public struct WebhookTestResult: Codable, Sendable, Equatable {
    public var webhook: String
    public var delivered: Bool
    public var status: Int?
    public var error: String?
    public init(webhook: String, delivered: Bool, status: Int?, error: String?) {
        self.webhook = webhook
        self.delivered = delivered
        self.status = status
        self.error = error
    }
}
