#if canImport(FoundationEssentials)
import FoundationEssentials
import FoundationInternationalization
#else
import Foundation
#endif

/// A five-field cron expression with Debian cron's semantics, evaluated in an IANA time
/// zone (see "Semantics to decide once" in ARCHITECTURE.md):
///
/// - fields minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or jan..dec,
///   day-of-week 0-7 or sun..sat (0 and 7 are Sunday); names in any case; `*`, values,
///   ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (meaning `a-max/n`), lists of these;
///   the macros `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly` and
///   `@annually`;
/// - when neither day field starts with `*`, a day matches if either field matches,
///   otherwise both must;
/// - daylight saving: when neither the minute nor the hour field starts with `*`, a wall
///   time skipped by a gap fires once at the first minute after the gap and a repeated
///   one fires at its first occurrence; otherwise every real instant whose wall time
///   matches fires, so repeated times fire twice and nothing fires in a gap;
/// - an expression that can never fire is rejected here, not discovered later.
///
/// The search uses integer civil-date arithmetic on bitsets and a cached table of the
/// zone's offset transitions; it never calls `Calendar`.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public let source: String
    public let timeZone: TimeZone
    let pattern: CronWallClockPattern
    let daylightSavingRule: CronDaylightSavingRule
    let offsets: ZoneOffsetTable

    public init(_ text: String, timeZone: TimeZone = .current) throws(CronParseError) {
        (pattern, daylightSavingRule) = try Self.parse(text)
        source = text
        self.timeZone = timeZone
        offsets = ZoneOffsetTableCache.shared.table(for: timeZone, covering: ZoneOffsetTableCache.defaultHorizon)
    }

    public var description: String { source }

    /// Two expressions are equal when they were written the same way for the same zone.
    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.source == rhs.source && lhs.timeZone.identifier == rhs.timeZone.identifier
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(timeZone.identifier)
    }

    /// The first fire time strictly after `date`; nil if there is none before the year
    /// 10000.
    public func nextFireDate(after date: Date) -> Date? {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, seconds < Self.endOfSupportedTime else { return nil }
        let after = max(Int(seconds), Self.startOfSupportedTime)
        var table = offsets
        while true {
            switch nextFire(after: after, in: table) {
            case .fire(let instant):
                return Date(timeIntervalSince1970: TimeInterval(instant))
            case .never:
                return nil
            case .needsTableCovering(let instant):
                table = ZoneOffsetTableCache.shared.table(for: timeZone, covering: instant)
            }
        }
    }

    /// Up to `count` consecutive fire times strictly after `date`.
    public func nextFireDates(after date: Date, count: Int) -> [Date] {
        var fires: [Date] = []
        fires.reserveCapacity(max(count, 0))
        var previous = date
        while fires.count < count, let next = nextFireDate(after: previous) {
            fires.append(next)
            previous = next
        }
        return fires
    }

    /// 0001-01-01 and 10000-01-01 UTC.
    private static let startOfSupportedTime = -62_135_596_800
    private static let endOfSupportedTime: TimeInterval = 253_402_300_800
}
