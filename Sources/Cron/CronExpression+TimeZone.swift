#if canImport(FoundationEssentials)
import FoundationEssentials
import FoundationInternationalization
#else
import Foundation
#endif

extension CronExpression {
    /// The IANA time zone with this identifier (such as "Europe/Berlin" or "UTC"), for
    /// checking a schedule's zone when it is defined. Offsets ("GMT+5") and abbreviations
    /// ("PST") are refused: they hide daylight saving, which is the point of a zone.
    public static func timeZone(named identifier: String) throws(CronParseError) -> TimeZone {
        // The longest IANA identifier is 30 characters; a longer one is no zone, and the
        // "did you mean" search below costs time in proportion to its length.
        guard identifier.utf8.count <= maxIdentifierBytes else {
            throw CronParseError(.unknownName, "the time zone is \(identifier.utf8.count) bytes long; IANA identifiers such as 'Europe/Berlin' are at most \(maxIdentifierBytes)")
        }
        let isRegion = identifier.contains("/") || identifier == "UTC" || identifier == "GMT"
            || TimeZone.knownTimeZoneIdentifiers.contains(identifier)
        if isRegion, let zone = TimeZone(identifier: identifier) {
            return zone
        }
        var detail = "unknown time zone '\(identifier)'; expected an IANA identifier such as 'Europe/Berlin', 'America/New_York' or 'UTC'"
        if let suggestion = suggestedIdentifier(for: identifier) {
            detail += "; did you mean '\(suggestion)'?"
        }
        throw CronParseError(.unknownName, detail)
    }

    static let maxIdentifierBytes = 64

    private static func suggestedIdentifier(for identifier: String) -> String? {
        if let region = TimeZone.abbreviationDictionary[identifier.uppercased()] {
            return region
        }
        let wanted = Array(identifier.lowercased())
        let candidates = TimeZone.knownTimeZoneIdentifiers + ["UTC"]
        let scored = candidates.map { ($0, editDistance(wanted, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, wanted.count / 4) else { return nil }
        return best.0
    }

    /// Levenshtein distance, for "did you mean" only.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
