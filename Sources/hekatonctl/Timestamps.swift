import ControlAPI
import Foundation

/// RFC 3339 instants in and out.
enum Timestamps {
    static func utc(_ date: Date) -> String { RFC3339.string(date, fractionalSeconds: false) }

    static func local(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? { RFC3339.parse(text) }
}
