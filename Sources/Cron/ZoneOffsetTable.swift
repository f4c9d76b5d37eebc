#if canImport(FoundationEssentials)
import FoundationEssentials
import FoundationInternationalization
#else
import Foundation
#endif

/// A time zone's UTC offsets as a sorted list of transitions, read once from Foundation,
/// so that the cron search converts between UTC and wall-clock time with a binary search
/// instead of a `TimeZone` call per step. Immutable, hence shareable between threads;
/// `ZoneOffsetTableCache` keeps one per zone.
///
/// Instants are whole seconds since 1970-01-01 00:00 UTC. Segment k is the span between
/// two transitions in which one offset holds.
final class ZoneOffsetTable: Sendable {
    /// Ascending instants at which a new offset starts; segment k ends at `transitions[k]`.
    let transitions: [Int]
    /// Seconds east of UTC in segment k; one more entry than `transitions`.
    let offsets: [Int]
    /// The table holds every transition before this instant (and none after it).
    /// `Self.unbounded` when the zone has no later transitions at all.
    let coveredUntil: Int

    /// Beyond any instant the search reaches (year 9999 is about 2.5e11 seconds), small
    /// enough that adding an offset cannot overflow.
    static let unbounded = 1 << 60
    /// Offsets before this instant (1800-01-01) are taken to be the one in force then,
    /// local mean time for most zones.
    static let earliestTransition = -5_364_662_400

    init(timeZone: TimeZone, until end: Int) {
        var transitions: [Int] = []
        var instant = Date(timeIntervalSince1970: TimeInterval(Self.earliestTransition))
        var offsets = [timeZone.secondsFromGMT(for: instant)]
        var coveredUntil = Self.unbounded
        while let next = timeZone.nextDaylightSavingTimeTransition(after: instant) {
            let seconds = Int(next.timeIntervalSince1970.rounded(.down))
            if seconds >= end {
                coveredUntil = seconds
                break
            }
            // Foundation also reports changes of abbreviation only; keep real offset changes.
            let offset = timeZone.secondsFromGMT(for: next)
            if offset != offsets.last {
                transitions.append(seconds)
                offsets.append(offset)
            }
            instant = next
        }
        self.transitions = transitions
        self.offsets = offsets
        self.coveredUntil = coveredUntil
    }

    /// The segment in force at `instant`.
    func segment(containing instant: Int) -> Int {
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func start(ofSegment segment: Int) -> Int {
        segment == 0 ? -Self.unbounded : transitions[segment - 1]
    }

    /// Exclusive; for the last segment, how far the table knows.
    func end(ofSegment segment: Int) -> Int {
        segment < transitions.count ? transitions[segment] : coveredUntil
    }

    func isLast(_ segment: Int) -> Bool {
        segment == transitions.count
    }
}
