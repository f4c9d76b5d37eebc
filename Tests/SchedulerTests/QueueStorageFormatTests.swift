import Foundation
import GRDB
@testable import Scheduler
import Testing

/// The hand-written codecs for the job table's time and JSON columns agree with GRDB's
/// and Foundation's, which other code (and sqlite3 users) read them with.
@Suite("Queue: storage formats")
struct QueueStorageFormatTests {
    static let instants: [Double] = [
        0, 1_800_000_000, 1_800_000_000.123, 1_800_000_000.9999, 951_782_400.5,  // 2000-02-29
        4_107_542_400, -1, -86_400.001, -2_208_988_800,  // 2100-03-01, before 1970, 1900-01-01
    ]

    @Test("Times are written as GRDB writes them and read back exactly", arguments: instants)
    func timestamps(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = DatabaseTimestamp.text(date)
        #expect(text == (date.databaseValue.storage.value as? String), "GRDB's own format")
        let read = try #require(DatabaseTimestamp.parse(text))
        #expect(read == DatabaseTimestamp.stored(date))
        #expect(abs(read.timeIntervalSince(date)) <= 0.0005 + 1e-9)
        #expect(DatabaseTimestamp.date(text.databaseValue) == read)
    }

    @Test("Times in other SQLite formats are left to GRDB")
    func otherFormats() {
        #expect(DatabaseTimestamp.parse("2027-01-15 08:00:00") == nil)
        #expect(DatabaseTimestamp.date("2027-01-15 08:00:00".databaseValue) == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(DatabaseTimestamp.date(DatabaseValue.null) == nil)
    }

    static let commands: [[String]] = [
        [], ["/bin/true"], ["python3", "-c", "print('a, b')"], ["with \"quotes\""], ["back\\slash"], ["tab\there"],
        ["ünïcödé", "日本"], ["a\",\"b"], [""],
    ]

    @Test("Command lines survive the JSON column, and read as Foundation reads them", arguments: commands)
    func argv(strings: [String]) throws {
        let text = try JSONColumn.encode(strings)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == strings)
        #expect(try JSONColumn.decodeStrings(text) == strings)
    }

    static let maps: [[String: String]] = [
        [:], ["SEED": "7"], ["B": "2", "A": "1", "PATH": "/usr/bin:/bin"], ["quote": "\"", "slash\\": "x"], ["": ""],
    ]

    @Test("Environments and labels survive the JSON column", arguments: maps)
    func map(map: [String: String]) throws {
        let text = try JSONColumn.encode(map)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == map)
        #expect(try JSONColumn.decodeMap(text) == map)
    }
}
