import Foundation
import Testing

/// Shorthands for the cron tests: instants are written as RFC 3339 UTC strings, so that
/// tables read like the reference output they were copied from.
enum CronFixture {
    static func instant(_ rfc3339: String) throws -> Date {
        try Date.ISO8601FormatStyle().parse(rfc3339)
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    static func zone(_ identifier: String) throws -> TimeZone {
        try #require(TimeZone(identifier: identifier), "unknown zone \(identifier)")
    }
}
