import Foundation
import GRDB

/// Where each webhook's deliveries stand. A delivery row is made for every event a webhook
/// wants, in the event's order, and kept until it is delivered (or given up on): a restart
/// resumes from the rows, so nothing is lost and nothing already acknowledged is sent again.
public enum WebhookSchema {
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifications-1-webhooks") { db in
            try db.create(table: "webhook_delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("webhook", .text).notNull()
                t.column("event_id", .integer).notNull()
                t.column("state", .text).notNull().check(sql: "state IN ('pending', 'delivered', 'failed')")
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime).notNull()
                t.column("last_status", .integer)
                t.column("last_error", .text)
                t.column("delivered_at", .datetime)
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["webhook", "event_id"])
            }
            try db.execute(sql: "CREATE INDEX webhook_delivery_pending ON webhook_delivery(webhook, id) WHERE state = 'pending'")
            // How far each webhook has taken events in: the last event id considered.
            try db.create(table: "webhook_cursor") { t in
                t.primaryKey("webhook", .text)
                t.column("last_event_id", .integer).notNull()
            }
        }
    }
}

/// One event on its way to one webhook.
public struct WebhookDelivery: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "webhook_delivery"

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case pending, delivered, failed
    }

    public var id: Int64?
    public var webhook: String
    public var eventID: Int64
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, webhook, state, attempts
        case eventID = "event_id"
        case nextAttemptAt = "next_attempt_at"
        case lastStatus = "last_status"
        case lastError = "last_error"
        case deliveredAt = "delivered_at"
        case createdAt = "created_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The idempotency key a receiver sees in `X-Hekaton-Delivery`: the same on every retry.
    public var key: String { "\(webhook)-\(eventID)" }
}
