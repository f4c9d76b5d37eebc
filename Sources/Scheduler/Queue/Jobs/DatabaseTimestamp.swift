import Cron
import Foundation
import GRDB

/// Times as GRDB stores them, UTC text `yyyy-MM-dd HH:mm:ss.SSS`, written and read by hand.
///
/// Foundation's formatters cost microseconds per date on Linux, and a claim or an enqueue
/// handles several dates per job. Dates are rounded to the millisecond, as GRDB rounds
/// them, so a job built in memory equals the same job read back.
enum DatabaseTimestamp {
    static func text(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let days = milliseconds.floorDivided(by: 86_400_000)
        let millisecondOfDay = milliseconds - days * 86_400_000
        let second = millisecondOfDay / 1000
        let civil = CivilDate(daysSinceEpoch: days)
        var bytes = [UInt8]()
        bytes.reserveCapacity(23)
        func append(_ value: Int, digits: Int, then separator: Unicode.Scalar? = nil) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            if let separator { bytes.append(UInt8(ascii: separator)) }
        }
        append(civil.year, digits: 4, then: "-")
        append(civil.month, digits: 2, then: "-")
        append(civil.day, digits: 2, then: " ")
        append(second / 3600, digits: 2, then: ":")
        append(second / 60 % 60, digits: 2, then: ":")
        append(second % 60, digits: 2, then: ".")
        append(millisecondOfDay % 1000, digits: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The date as it reads back once stored.
    static func stored(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(Int((date.timeIntervalSince1970 * 1000).rounded())) / 1000)
    }

    /// Reads a timestamp column; text in another SQLite date format, or a number, is left
    /// to GRDB.
    static func date(_ value: DatabaseValue) -> Date? {
        if case .string(let text) = value.storage, let date = parse(text) { return date }
        return Date.fromDatabaseValue(value)
    }

    static func parse(_ text: String) -> Date? {
        var utf8 = text.utf8.makeIterator()
        func number(_ digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let byte = utf8.next(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func expect(_ character: Unicode.Scalar) -> Bool { utf8.next() == UInt8(ascii: character) }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect(" "),
              let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              expect("."), let millisecond = number(3), utf8.next() == nil
        else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let milliseconds = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
