import ArgumentParser
import ControlAPI
import ControlClient
import Cron
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl {
    struct Events: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "What happened that you might act on: your submissions scored or failed; for hosts also rounds, promotions, ingestions, artifacts, dead jobs and missed schedules.",
            discussion: """
            Each event is written with the change it reports, so none is lost and none is \
            told before its change committed. Oldest first; --follow keeps printing new ones \
            as they happen (Server-Sent Events over the socket) until interrupted. With --json, \
            one JSON object per line.

              hekatonctl events --since 2h
              hekatonctl events --competition pococha --kind round.decided,production.promoted
              hekatonctl events --follow --json | jq .message
            """)
        @OptionGroup var connection: ClientOptions
        @Option(help: "Only this competition's.") var competition: String?
        @Option(help: "Only these kinds, comma-separated (submission.scored, submission.failed, round.decided, production.promoted, production.rolled-back, ingestion.new-version, ingestion.unchanged, ingestion.failed, artifact.built, artifact.failed, job.dead, schedule.missed).")
        var kind: String?
        @Option(help: ArgumentHelp("From this time on: an RFC 3339 time, or a duration ago like 30m, 2h or 3d.", valueName: "time"))
        var since: String?
        @Option(help: ArgumentHelp("After this event id (the last one you saw).", valueName: "id")) var after: Int64?
        @Option(help: "At most this many (1 to 1000; without --follow).") var limit = 100
        @Flag(name: .shortAndLong, help: "Keep printing new events as they happen.") var follow = false
        @OptionGroup var format: OutputOptions<PlainJSON>

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit takes 1 to 1000") }
            if let since, sinceTime(since) == nil {
                throw ValidationError("--since '\(since)' is neither an RFC 3339 time (2026-12-01T09:00:00Z) nor a duration (30m, 2h, 3d)")
            }
            if let after, after < 0 { throw ValidationError("--after takes an event id, 0 or more") }
        }

        func sinceTime(_ text: String) -> String? {
            if Timestamps.parse(text) != nil { return text }
            guard let seconds = DurationText.seconds(text) else { return nil }
            return Timestamps.utc(Date().addingTimeInterval(-seconds))
        }

        func run(client: ControlClient, output: Output) throws {
            var query = ["limit=\(limit)"]
            if let competition { query.append("competition=\(competition.queryEscaped)") }
            if let kind { query.append("kind=\(kind.queryEscaped)") }
            if let since, let time = sinceTime(since) { query.append("since=\(time.queryEscaped)") }
            if let after { query.append("after=\(after)") }
            if follow {
                query.append("follow=true")
                var pending: [UInt8] = []
                try client.stream("GET", "/v1/events?" + query.joined(separator: "&")) { chunk in
                    pending += chunk
                    // Frames end with a blank line; each carries its event as `data:` JSON.
                    while let end = Self.frameEnd(pending) {
                        let frame = String(decoding: pending[..<end], as: UTF8.self)
                        pending.removeFirst(end + 2)
                        guard let line = frame.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                              let event = try? JSONDecoder().decode(EventInfo.self, from: Data(line.dropFirst(6).utf8)) else { continue }
                        // Written at once, unbuffered: a pipe's reader sees each event as it comes.
                        Terminal.write(Array(((output == .json ? String(line.dropFirst(6)) : Self.line(event)) + "\n").utf8))
                    }
                }
                return
            }
            let list: EventList = try client.call("GET", "/v1/events?" + query.joined(separator: "&"))
            if output == .json {
                for event in list.events { try printJSON(event, pretty: false) }
                return
            }
            if list.events.isEmpty { print("no events"); return }
            for event in list.events { print(Self.line(event)) }
            if list.events.count == limit { print("(more after event \(list.last): --after \(list.last))") }
        }

        /// `2026-12-01T04:50:01Z  submission.scored      pococha  submission 3 (mf) of pococha scored 0.6123`
        static func line(_ event: EventInfo) -> String {
            let kind = event.kind + String(repeating: " ", count: max(22 - event.kind.count, 0))
            return "\(event.at)  \(kind)  \(event.message)"
        }

        static func frameEnd(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 2 else { return nil }
            for index in 0..<(bytes.count - 1) where bytes[index] == 10 && bytes[index + 1] == 10 { return index }
            return nil
        }
    }
}
