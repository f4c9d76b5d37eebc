#if canImport(FoundationEssentials)
import FoundationEssentials
import FoundationInternationalization
#else
import Foundation
#endif
import Synchronization

/// One `ZoneOffsetTable` per time zone identifier for the whole process, so that parsing
/// many expressions in the same zone reads the zone's transitions from Foundation once.
/// A table is replaced by a longer one when a search runs past its end.
final class ZoneOffsetTableCache: Sendable {
    static let shared = ZoneOffsetTableCache()

    /// 2200-01-01: what a new table covers at least, enough for any realistic search.
    static let defaultHorizon = 7_258_118_400
    private static let century = 3_155_760_000

    private let tables = Mutex<[String: ZoneOffsetTable]>([:])

    /// A table for `timeZone` that holds every transition before `instant`.
    func table(for timeZone: TimeZone, covering instant: Int) -> ZoneOffsetTable {
        tables.withLock { tables in
            if let table = tables[timeZone.identifier], table.coveredUntil > instant {
                return table
            }
            let table = ZoneOffsetTable(timeZone: timeZone, until: max(instant, Self.defaultHorizon) + Self.century)
            tables[timeZone.identifier] = table
            return table
        }
    }
}
