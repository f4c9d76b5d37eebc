import ControlAPI
import Foundation
import GRDB
import Scheduler
import Synchronization

extension Router {
    /// Events: a participant reads the ones about their own submissions, a host all of them.
    /// `follow=true` streams them as Server-Sent Events until the client leaves.
    mutating func addEventRoutes(_ daemon: DaemonContext) {
        add("GET", "/v1/events", .owner) { request in
            let query = try EventQuery(request.query, isHost: request.caller.isAdmin, uid: request.caller.uid)
            guard request.query["follow"] == "true" || request.query["follow"] == "1" else {
                let events = try await daemon.database.read { db in try query.read(after: query.after, limit: query.limit, db) }
                return .json(EventList(events: events.map(EventInfo.init), last: events.last?.id ?? query.after))
            }
            return EventStream.response(daemon, query)
        }
    }
}

/// What a caller asked of the events, checked: every value bounded, unknown kinds refused.
struct EventQuery: Sendable {
    static let maximumLimit = 1000
    var after: Int64 = 0
    var limit = 100
    var competition: String?
    var kinds: Set<Event.Kind>?
    var since: Date?
    /// Nil for a host: all events.
    var participantUID: UInt32?

    init(_ query: [String: String], isHost: Bool, uid: UInt32) throws {
        participantUID = isHost ? nil : uid
        if let text = query["after"] {
            guard let value = Int64(text), value >= 0 else {
                throw Problem(title: "Bad event query", status: 400, detail: "after '\(text.prefix(24))' must be an event id, 0 or more")
            }
            after = value
        }
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw Problem(title: "Bad event query", status: 400, detail: "limit '\(text.prefix(24))' must be 1 to \(Self.maximumLimit)")
            }
            limit = value
        }
        if let text = query["competition"] {
            guard text.utf8.count <= 63 else { throw Problem(title: "Bad event query", status: 400, detail: "competition names are at most 63 characters") }
            competition = text
        }
        if let text = query["kind"] {
            var kinds: Set<Event.Kind> = []
            for name in text.split(separator: ",").prefix(Event.Kind.allCases.count + 1) {
                guard let kind = Event.Kind(rawValue: String(name)) else {
                    throw Problem(title: "Bad event query", status: 400,
                                  detail: "unknown event kind '\(name.prefix(40))'; kinds are \(Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                kinds.insert(kind)
            }
            self.kinds = kinds
        }
        if let text = query["since"] {
            guard let date = RFC3339.parse(text) else {
                throw Problem(title: "Bad event query", status: 400, detail: "since '\(text.prefix(40))' is not an RFC 3339 time like 2026-12-01T09:00:00Z")
            }
            since = date
        }
    }

    func read(after id: Int64, limit: Int, _ db: Database) throws -> [Event] {
        try Event.after(id, participantUID: participantUID, competition: competition, kinds: kinds, since: since, limit: limit, db)
    }
}

extension EventInfo {
    init(_ event: Event) {
        self.init(id: event.id!, at: RFC3339.string(event.at), kind: event.kind.rawValue, competition: event.competition,
                  message: event.message, data: event.data)
    }
}

/// Events as Server-Sent Events: what there is now, then each new one as it commits. The
/// stream is pulled a batch at a time, so a client that reads nothing holds one batch of the
/// daemon's memory; a comment line every 15 s keeps idle connections honest.
enum EventStream {
    static let batch = 100

    static func response(_ daemon: DaemonContext, _ query: EventQuery) -> APIResponse {
        let cursor = EventCursor(query.after)
        let stream = AsyncStream<[UInt8]>(unfolding: {
            var quiet = 0
            while !Task.isCancelled {
                let after = cursor.value
                let events = (try? await daemon.database.read { db in try query.read(after: after, limit: batch, db) }) ?? []
                if let last = events.last?.id {
                    cursor.value = last
                    return Array(events.map(Self.frame).joined().utf8)
                }
                quiet += 1
                // About 15 s of nothing: a comment, which also tells the server whether the client left.
                if quiet >= 30 { return Array(": idle\n\n".utf8) }
                try? await Timers.sleep(for: .milliseconds(500))
            }
            return nil
        })
        return APIResponse(status: 200, contentType: "text/event-stream", body: .stream(stream))
    }

    static func frame(_ event: Event) -> String {
        let json = (try? String(decoding: JSONEncoder().encode(EventInfo(event)), as: UTF8.self)) ?? "{}"
        return "id: \(event.id!)\nevent: \(event.kind.rawValue)\ndata: \(json)\n\n"
    }
}

/// Where a following stream is: the last event id it sent.
final class EventCursor: Sendable {
    private let current: Mutex<Int64>
    init(_ start: Int64) { current = Mutex(start) }
    var value: Int64 {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
