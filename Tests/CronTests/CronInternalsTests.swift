import Foundation
@testable import Cron
import Testing

/// The two pieces the search trusts instead of Foundation, checked against Foundation.
@Suite("Cron internals")
struct CronInternalsTests {
    @Test func civilDatesAgreeWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try CronFixture.zone("UTC")
        var generator = CronSeededGenerator(seed: 7)
        // Foundation's Gregorian calendar turns Julian before 1582, so compare from 1600 on.
        let days = [-135_140, -1, 0, 1, 11_016, 47_540, 2_932_896] + (0..<2000).map { _ in
            Int.random(in: -135_140...2_932_896, using: &generator)
        }
        for day in days {
            let date = CivilDate(daysSinceEpoch: day)
            let expected = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            #expect([date.year, date.month, date.day, date.weekday + 1] == [expected.year, expected.month, expected.day, expected.weekday])
            #expect(date.daysSinceEpoch == day)
            #expect(date.day <= CivilDate.daysInMonth(year: date.year, month: date.month))
        }
    }

    @Test(arguments: ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Tokyo", "UTC",
                      "Europe/Moscow", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Apia"])
    func offsetTablesAgreeWithFoundation(_ identifier: String) throws {
        let zone = try CronFixture.zone(identifier)
        let table = ZoneOffsetTable(timeZone: zone, until: ZoneOffsetTableCache.defaultHorizon)
        #expect(table.transitions == table.transitions.sorted())
        #expect(table.offsets.count == table.transitions.count + 1)
        func expectAgreement(at instant: Int) {
            let offset = table.offsets[table.segment(containing: instant)]
            #expect(offset == zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))), "at \(instant)")
        }
        for transition in table.transitions {
            expectAgreement(at: transition - 1)
            expectAgreement(at: transition)
        }
        var generator = CronSeededGenerator(seed: 11)
        for _ in 0..<500 {
            expectAgreement(at: Int.random(in: -2_208_988_800..<ZoneOffsetTableCache.defaultHorizon, using: &generator))
        }
    }
}
