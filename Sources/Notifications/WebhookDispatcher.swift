import AsyncHTTPClient
import Foundation
import GRDB
import HekatonHashing
import Logging
import NIOCore
import Scheduler
import ServiceLifecycle
import Synchronization

/// Delivers events to webhooks, at least once and in each webhook's event order.
///
/// Each second it takes the events committed since each webhook's cursor into delivery rows
/// (in one transaction with the cursor), then sends each webhook's oldest pending delivery,
/// and the next while they succeed. A failure (no answer within 10 s, a refused connection,
/// a status outside 2xx) backs that webhook off (1 s, doubling, at most 5 min) and holds its
/// later events behind it, so a receiver sees them in order; after 50 attempts (hours) the
/// delivery is given up and shown as failed. Webhooks are served side by side, and apart
/// from the job queue: a slow or dead receiver holds up no one else.
public final class WebhookDispatcher: Service, Sendable {
    public static let maximumAttempts = 50
    static let requestSeconds: Int64 = 10
    static let maximumBackoff: TimeInterval = 300
    static let batch = 100

    /// The webhooks of the daemon's configuration, read at start.
    public let configured: [Webhook]
    /// Those of competitions' manifests, read from the database each round.
    private let competitionWebhooks: (@Sendable (Database) throws -> [Webhook])?
    private let current: Mutex<[Webhook]>
    private let secrets: [String: [UInt8]]
    private let database: any DatabaseWriter
    /// Made with the first webhook: a daemon without any starts no HTTP client's threads.
    private let httpClient = Mutex<HTTPClient?>(nil)
    private let logger: Logger
    private let wakes: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation

    /// Fails when a configured webhook's secret cannot be read: the daemon does not start
    /// unsigned. `competitionWebhooks` reads the competitions' (their secrets read already).
    public init(webhooks: [Webhook], database: any DatabaseWriter, logger: Logger,
                competitionWebhooks: (@Sendable (Database) throws -> [Webhook])? = nil) throws {
        configured = webhooks
        current = Mutex(webhooks)
        var secrets: [String: [UInt8]] = [:]
        for webhook in webhooks { secrets[webhook.name] = try webhook.secret() }
        self.secrets = secrets
        self.database = database
        self.logger = logger
        self.competitionWebhooks = competitionWebhooks
        (wakes, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Every webhook now: the configuration's, then the competitions'.
    public var webhooks: [Webhook] { current.withLock { $0 } }

    /// Tells the dispatcher to read the competitions' webhooks now (after a publication).
    public func refresh() {
        waker.yield()
    }

    private var client: HTTPClient {
        httpClient.withLock { client in
            if let client { return client }
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: .seconds(Self.requestSeconds))))
            client = made
            return made
        }
    }

    public func run() async throws {
        do {
            try await loop()
        } catch {
            try? await httpClient.withLock { $0 }?.shutdown()
            throw error
        }
        try await httpClient.withLock { $0 }?.shutdown()
    }

    /// Each second while there are webhooks; with none, it sleeps until a publication may
    /// have brought some: no timer fires for nothing.
    private func loop() async throws {
        try await cancelWhenGracefulShutdown {
            var wakes = self.wakes.makeAsyncIterator()
            var started: Set<String>?
            while !Task.isCancelled {
                do {
                    try await self.readWebhooks()
                    let names = Set(self.webhooks.map(\.name))
                    if names != started {
                        try await self.startCursors()
                        started = names
                    }
                    try await self.intake()
                    await withTaskGroup(of: Void.self) { group in
                        for webhook in self.webhooks { group.addTask { await self.deliver(webhook) } }
                    }
                } catch {
                    self.logger.warning("webhook deliveries: \(error)")
                }
                if self.webhooks.isEmpty {
                    guard await wakes.next() != nil else { return }
                } else {
                    try? await Timers.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// The configuration's webhooks and the competitions' as they are now.
    func readWebhooks() async throws {
        guard let competitionWebhooks else { return }
        let competitions = try await database.read { db in try competitionWebhooks(db) }
        current.withLock { $0 = configured + competitions }
    }

    /// A webhook seen for the first time starts after the latest event (a competition's,
    /// after the event its publication saw last): it is told what happens from then on,
    /// not the history.
    func startCursors() async throws {
        let webhooks = webhooks
        guard !webhooks.isEmpty else { return }
        try await database.write { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM event") ?? 0
            for webhook in webhooks {
                try db.execute(sql: "INSERT OR IGNORE INTO webhook_cursor (webhook, last_event_id) VALUES (?, ?)",
                               arguments: [webhook.name, webhook.startAfterEvent ?? latest])
            }
        }
    }

    /// Makes delivery rows for the events each webhook wants, moving its cursor past them.
    func intake() async throws {
        let webhooks = webhooks
        guard !webhooks.isEmpty else { return }
        try await database.write { db in
            let now = Date()
            for webhook in webhooks {
                let cursor = try Int64.fetchOne(db, sql: "SELECT last_event_id FROM webhook_cursor WHERE webhook = ?", arguments: [webhook.name]) ?? 0
                let events = try Event.filter(Column("id") > cursor).order(Column("id")).limit(500).fetchAll(db)
                guard let last = events.last?.id else { continue }
                for event in events where webhook.wants(event) {
                    var delivery = WebhookDelivery(webhook: webhook.name, eventID: event.id!, state: .pending, attempts: 0,
                                                   nextAttemptAt: now, createdAt: now)
                    try delivery.insert(db, onConflict: .ignore)
                }
                try db.execute(sql: "UPDATE webhook_cursor SET last_event_id = ? WHERE webhook = ?", arguments: [last, webhook.name])
            }
        }
    }

    /// Sends `webhook`'s pending deliveries in order while they succeed and are due.
    func deliver(_ webhook: Webhook) async {
        for _ in 0..<Self.batch {
            guard !Task.isCancelled else { return }
            let next = try? await database.read { db -> (WebhookDelivery, Event)? in
                guard let delivery = try WebhookDelivery.filter(Column("webhook") == webhook.name && Column("state") == "pending")
                    .order(Column("id")).fetchOne(db),
                      let event = try Event.fetchOne(db, key: delivery.eventID) else { return nil }
                return (delivery, event)
            }
            guard let (delivery, event) = next ?? nil, delivery.nextAttemptAt <= Date() else { return }
            let outcome = await send(webhook, event: event, key: delivery.key)
            var updated = delivery
            updated.attempts += 1
            updated.lastStatus = outcome.status
            updated.lastError = outcome.error
            if outcome.error == nil {
                updated.state = .delivered
                updated.deliveredAt = Date()
            } else {
                updated.nextAttemptAt = Date().addingTimeInterval(min(pow(2, Double(updated.attempts - 1)), Self.maximumBackoff))
                if updated.attempts >= Self.maximumAttempts { updated.state = .failed }
                logger.info("webhook \(webhook.name): delivery \(delivery.key) failed (attempt \(updated.attempts)): \(outcome.error ?? "")")
            }
            let record = updated
            do {
                try await database.write { db in try record.update(db) }
            } catch {
                logger.warning("webhook \(webhook.name): cannot record delivery \(delivery.key): \(error)")
                return
            }
            if outcome.error != nil { return }
        }
    }

    /// Posts one event; the status, and why it failed (nil: a 2xx answer).
    public func send(_ webhook: Webhook, event: Event, key: String) async -> (status: Int?, error: String?) {
        let body = Self.payload(webhook, event: event, key: key)
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hekatond")
        request.headers.add(name: "X-Hekaton-Event", value: event.kind.rawValue)
        request.headers.add(name: "X-Hekaton-Delivery", value: key)
        if let secret = webhook.secretBytes ?? secrets[webhook.name] {
            request.headers.add(name: "X-Hekaton-Signature-256", value: "sha256=" + HMACSHA256.hex(key: secret, message: body))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(Self.requestSeconds))
            // The answer's body is read (bounded) and dropped, so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            return (status, (200..<300).contains(status) ? nil : "the receiver answered \(status)")
        } catch {
            return (nil, "\(error)".prefix(300).description)
        }
    }

    /// JSON: `{"delivery", "webhook", "event": {id, at, kind, competition, message, data}}`;
    /// Slack: `{"text": "[competition] kind: message"}`.
    static func payload(_ webhook: Webhook, event: Event, key: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch webhook.format {
        case .slack:
            let text = "[\(event.competition ?? "hekaton")] \(event.kind.rawValue): \(event.message)"
            return Array((try? encoder.encode(["text": text])) ?? Data())
        case .json:
            let payload = JSONPayload(delivery: key, webhook: webhook.name, event: .init(
                id: event.id ?? 0, at: ISO8601DateFormatter().string(from: event.at), kind: event.kind.rawValue,
                competition: event.competition, message: event.message, data: event.data))
            return Array((try? encoder.encode(payload)) ?? Data())
        }
    }

    struct JSONPayload: Codable {
        struct EventBody: Codable {
            var id: Int64
            var at: String
            var kind: String
            var competition: String?
            var message: String
            var data: [String: String]
        }
        var delivery: String
        var webhook: String
        var event: EventBody
    }
}
