import Cron
import Foundation
import StrictYAML

extension CompetitionManifest {
    /// When the competition takes submissions (`phases:`): from `opens_at` until `closes_at`,
    /// both local times in `time_zone` (UTC by default) or times with their own offset.
    public struct Phases: Sendable, Equatable, Codable {
        public var opensAt: Date?
        public var closesAt: Date?
        /// The IANA zone the times were written in, for saying them back the same way.
        public var timeZone: String

        public init(opensAt: Date? = nil, closesAt: Date? = nil, timeZone: String = "UTC") {
            self.opensAt = opensAt
            self.closesAt = closesAt
            self.timeZone = timeZone
        }

        /// `date` as the host wrote such times: `2026-12-01 09:00 Asia/Tokyo`.
        public func local(_ date: Date) -> String {
            let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let seconds = parts.second ?? 0
            return String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
                + (seconds == 0 ? "" : String(format: ":%02d", seconds)) + " " + timeZone
        }
    }

    static func phases(_ value: YAMLValue) throws(YAMLError) -> Phases {
        let map = try value.mapping()
        try map.allowKeys(["opens_at", "closes_at", "time_zone"])
        let zoneName = try map.string("time_zone") ?? "UTC"
        let zone: TimeZone
        do { zone = try CronExpression.timeZone(named: zoneName) } catch {
            throw (map["time_zone"]!).invalid("\(error)", suggestion: "use an IANA zone such as Asia/Tokyo or UTC")
        }
        var phases = Phases(timeZone: zoneName)
        if let value = map["opens_at"] { phases.opensAt = try instant(value, in: zone) }
        if let value = map["closes_at"] { phases.closesAt = try instant(value, in: zone) }
        guard phases.opensAt != nil || phases.closesAt != nil else {
            throw value.invalid("phases names neither opens_at nor closes_at", suggestion: "give one or both, like closes_at: 2027-01-31 23:59")
        }
        if let opens = phases.opensAt, let closes = phases.closesAt, closes <= opens {
            throw (map["closes_at"]!).invalid("closes_at (\(phases.local(closes))) is not after opens_at (\(phases.local(opens)))",
                                              suggestion: "close the competition after it opens")
        }
        return phases
    }

    /// `2026-12-01 09:00`, `2026-12-01T09:00:30` (local to `zone`) or with an offset
    /// (`2026-12-01T09:00:00+09:00`, `...Z`). A local time that the zone skips (a daylight
    /// saving gap) is refused rather than moved.
    static func instant(_ value: YAMLValue, in zone: TimeZone) throws(YAMLError) -> Date {
        let text = try value.string()
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$"#
        guard text.utf8.count <= 40, let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else {
            throw value.invalid("'\(text)' is not a date and time", suggestion: "write it like 2026-12-01 09:00, in the time_zone given (UTC by default)")
        }
        let digits = text.split(whereSeparator: { !$0.isNumber }).map { Int($0)! }
        var parts = DateComponents(year: digits[0], month: digits[1], day: digits[2], hour: digits[3], minute: digits[4],
                                   second: text.count >= 19 && text[text.index(text.startIndex, offsetBy: 16)] == ":" ? digits[5] : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if text.hasSuffix("Z") {
            calendar.timeZone = TimeZone(identifier: "UTC")!
        } else if let sign = text.dropFirst(16).firstIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = text[sign...]
            let hours = Int(offset.dropFirst().prefix(2))!, minutes = Int(offset.suffix(2))!
            guard hours <= 23, minutes <= 59, let fixed = TimeZone(secondsFromGMT: (offset.first == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)) else {
                throw value.invalid("'\(text)' has an offset out of range", suggestion: "use an offset from -23:59 to +23:59")
            }
            calendar.timeZone = fixed
        }
        guard (1...12).contains(parts.month!), (1...31).contains(parts.day!), (0...23).contains(parts.hour!),
              (0...59).contains(parts.minute!), (0...59).contains(parts.second!), (1970...9999).contains(parts.year!) else {
            throw value.invalid("'\(text)' is not a valid date and time", suggestion: "write it like 2026-12-01 09:00")
        }
        parts.calendar = calendar
        guard let date = calendar.date(from: parts),
              calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
                == DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second) else {
            throw value.invalid("'\(text)' does not exist in \(calendar.timeZone.identifier) (a day that month lacks, or a clock change skips it)",
                                suggestion: "give a time that exists there")
        }
        return date
    }
}

/// Where a competition stands on its calendar: before it opens, open, or closed (at its
/// `closes_at`, or by hand with `hekatonctl competition close`).
public enum CompetitionPhase: Sendable, Equatable {
    case upcoming(opensAt: Date)
    case open
    case closed(at: Date, byHand: Bool)

    public init(_ manifest: CompetitionManifest, closedByHand: Date?, now: Date) {
        let phases = manifest.phases
        if let closed = closedByHand, closed <= now, phases?.closesAt.map({ closed < $0 }) ?? true {
            self = .closed(at: closed, byHand: true)
        } else if let closes = phases?.closesAt, closes <= now {
            self = .closed(at: closes, byHand: false)
        } else if let opens = phases?.opensAt, now < opens {
            self = .upcoming(opensAt: opens)
        } else {
            self = .open
        }
    }

    public var name: String {
        switch self {
        case .upcoming: "upcoming"
        case .open: "open"
        case .closed: "closed"
        }
    }

    /// Why a submission is refused now, or nil when it is taken.
    public func refusal(_ competition: String, _ manifest: CompetitionManifest, now: Date) -> String? {
        let phases = manifest.phases ?? CompetitionManifest.Phases()
        switch self {
        case .open:
            return nil
        case .upcoming(let opens):
            return "'\(competition)' opens at \(phases.local(opens)) (in \(Self.span(opens.timeIntervalSince(now)))); submit then"
        case .closed(let at, let byHand):
            let how = byHand ? "was closed by a host at" : "closed at"
            return "'\(competition)' \(how) \(phases.local(at)) (\(Self.span(now.timeIntervalSince(at))) ago) and takes no more submissions"
        }
    }

    static func span(_ seconds: TimeInterval) -> String {
        let minutes = Int(max(seconds, 0) / 60)
        if minutes < 1 { return "less than a minute" }
        if minutes < 120 { return "\(minutes) min" }
        let hours = minutes / 60
        return hours < 48 ? "\(hours) h" : "\(hours / 24) days"
    }
}
