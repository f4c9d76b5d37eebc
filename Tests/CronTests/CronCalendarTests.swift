import Foundation
import Cron
import Testing

/// Which days and times match: leap days, Debian's day-of-month/day-of-week rule, names,
/// steps and macros. Expected instants from cronsim 2.8.
@Suite("Cron calendar")
struct CronCalendarTests {
    static let leapDayCases: [CronFireCase] = [
        CronFireCase("0 0 29 2 *", "UTC", after: "2023-03-01T00:00:00Z",
                     fires: ["2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
        // 2100 is not a leap year.
        CronFireCase("0 0 29 2 *", "UTC", after: "2096-03-01T00:00:00Z",
                     fires: ["2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"]),
        // Day of week starts with '*', so both fields must match: 29 February on a Sunday.
        CronFireCase("0 12 29 2 */7", "UTC", after: "2024-03-01T00:00:00Z",
                     fires: ["2032-02-29T12:00:00Z", "2060-02-29T12:00:00Z"]),
        // Both restricted, so either matches: every Monday in February, and the 29th.
        CronFireCase("0 0 29 2 1", "UTC", after: "2024-02-01T00:00:00Z",
                     fires: ["2024-02-05T00:00:00Z", "2024-02-12T00:00:00Z", "2024-02-19T00:00:00Z", "2024-02-26T00:00:00Z",
                             "2024-02-29T00:00:00Z", "2025-02-03T00:00:00Z"]),
        CronFireCase("0 0 31 * *", "UTC", after: "2024-01-31T12:00:00Z",
                     fires: ["2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z", "2024-08-31T00:00:00Z"]),
    ]

    static let dayFieldCases: [CronFireCase] = [
        // Either: the 13th, and every Friday.
        CronFireCase("0 9 13 * 5", "UTC", after: "2024-09-01T00:00:00Z",
                     fires: ["2024-09-06T09:00:00Z", "2024-09-13T09:00:00Z", "2024-09-20T09:00:00Z", "2024-09-27T09:00:00Z",
                             "2024-10-04T09:00:00Z", "2024-10-11T09:00:00Z"]),
        CronFireCase("0 9 13 * *", "UTC", after: "2024-09-01T00:00:00Z",
                     fires: ["2024-09-13T09:00:00Z", "2024-10-13T09:00:00Z", "2024-11-13T09:00:00Z"]),
        CronFireCase("0 9 * * 5", "UTC", after: "2024-09-01T00:00:00Z",
                     fires: ["2024-09-06T09:00:00Z", "2024-09-13T09:00:00Z", "2024-09-20T09:00:00Z"]),
        // Day of month starts with '*': both must match, Mondays on the 1st, 11th, 21st or 31st.
        CronFireCase("0 9 */10 * mon", "UTC", after: "2024-01-01T00:00:00Z",
                     fires: ["2024-01-01T09:00:00Z", "2024-03-11T09:00:00Z", "2024-04-01T09:00:00Z", "2024-07-01T09:00:00Z"]),
        // Day of week starts with '*': the first Sunday of each month.
        CronFireCase("0 9 1-7 * */7", "UTC", after: "2024-01-01T00:00:00Z",
                     fires: ["2024-01-07T09:00:00Z", "2024-02-04T09:00:00Z", "2024-03-03T09:00:00Z"]),
    ]

    static let namesAndStepsCases: [CronFireCase] = [
        CronFireCase("0 9 * jan,jul mon-fri", "UTC", after: "2024-07-30T12:00:00Z",
                     fires: ["2024-07-31T09:00:00Z", "2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z", "2025-01-03T09:00:00Z"]),
        CronFireCase("0 0 * * SUN", "Europe/Berlin", after: "2024-06-01T00:00:00Z",
                     fires: ["2024-06-01T22:00:00Z", "2024-06-08T22:00:00Z"]),
        CronFireCase("0 0 1 Dec *", "America/New_York", after: "2024-06-01T00:00:00Z",
                     fires: ["2024-12-01T05:00:00Z", "2025-12-01T05:00:00Z"]),
        CronFireCase("5-50/15 * * * *", "UTC", after: "2024-06-01T10:00:00Z",
                     fires: ["2024-06-01T10:05:00Z", "2024-06-01T10:20:00Z", "2024-06-01T10:35:00Z", "2024-06-01T10:50:00Z",
                             "2024-06-01T11:05:00Z"]),
        // A lone start with a step runs to the end of the range: 10, 30, 50.
        CronFireCase("10/20 * * * *", "UTC", after: "2024-06-01T10:00:00Z",
                     fires: ["2024-06-01T10:10:00Z", "2024-06-01T10:30:00Z", "2024-06-01T10:50:00Z", "2024-06-01T11:10:00Z"]),
        // Steps restart every hour: 0, 25, 50, then 0 again.
        CronFireCase("*/25 * * * *", "UTC", after: "2024-06-01T10:00:00Z",
                     fires: ["2024-06-01T10:25:00Z", "2024-06-01T10:50:00Z", "2024-06-01T11:00:00Z", "2024-06-01T11:25:00Z"]),
        CronFireCase("0 22-23,0-2/2 * * *", "UTC", after: "2024-06-01T12:00:00Z",
                     fires: ["2024-06-01T22:00:00Z", "2024-06-01T23:00:00Z", "2024-06-02T00:00:00Z", "2024-06-02T02:00:00Z",
                             "2024-06-02T22:00:00Z"]),
        // 1, 3, 5, 7: Monday, Wednesday, Friday and Sunday.
        CronFireCase("0 0 * * 1-7/2", "UTC", after: "2024-06-01T12:00:00Z",
                     fires: ["2024-06-02T00:00:00Z", "2024-06-03T00:00:00Z", "2024-06-05T00:00:00Z", "2024-06-07T00:00:00Z",
                             "2024-06-09T00:00:00Z"]),
        CronFireCase("0 0 * * 7", "UTC", after: "2024-06-01T12:00:00Z",
                     fires: ["2024-06-02T00:00:00Z", "2024-06-09T00:00:00Z"]),
        // A step larger than the field's range selects only the start, as in Debian's crontab:
        // January only; minute 0; Sunday; the 5th.
        CronFireCase("18 * * */20 *", "UTC", after: "2026-02-01T00:00:00Z",
                     fires: ["2027-01-01T00:18:00Z", "2027-01-01T01:18:00Z", "2027-01-01T02:18:00Z"]),
        CronFireCase("*/60 * * * *", "UTC", after: "2024-06-01T10:20:00Z",
                     fires: ["2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"]),
        CronFireCase("0 */100 * * *", "UTC", after: "2024-06-01T10:20:00Z",
                     fires: ["2024-06-02T00:00:00Z", "2024-06-03T00:00:00Z"]),
        CronFireCase("0 0 * * */8", "UTC", after: "2024-06-01T12:00:00Z",
                     fires: ["2024-06-02T00:00:00Z", "2024-06-09T00:00:00Z"]),
        CronFireCase("0 9 5/40 * *", "UTC", after: "2024-06-10T00:00:00Z",
                     fires: ["2024-07-05T09:00:00Z", "2024-08-05T09:00:00Z"]),
        CronFireCase("0 0 1 * *", "Pacific/Chatham", after: "2024-06-15T00:00:00Z",
                     fires: ["2024-06-30T11:15:00Z", "2024-07-31T11:15:00Z"]),
        CronFireCase("0 0 1 1 *", "Australia/Lord_Howe", after: "2024-06-15T00:00:00Z",
                     fires: ["2024-12-31T13:00:00Z", "2025-12-31T13:00:00Z"]),
    ]

    /// Every macro, expected from cronsim on its five-field expansion.
    static let macroCases: [CronFireCase] = [
        CronFireCase("@hourly", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-17T11:00:00Z", "2024-06-17T12:00:00Z"]),
        CronFireCase("@daily", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-17T22:00:00Z", "2024-06-18T22:00:00Z"]),
        CronFireCase("@midnight", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-17T22:00:00Z", "2024-06-18T22:00:00Z"]),
        CronFireCase("@weekly", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-22T22:00:00Z", "2024-06-29T22:00:00Z"]),
        CronFireCase("@monthly", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-30T22:00:00Z", "2024-07-31T22:00:00Z"]),
        CronFireCase("@yearly", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-12-31T23:00:00Z", "2025-12-31T23:00:00Z"]),
        CronFireCase("@annually", "Europe/Berlin", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-12-31T23:00:00Z", "2025-12-31T23:00:00Z"]),
        // Macros are accepted in any case, like names, and may be surrounded by spaces.
        CronFireCase(" @Daily ", "UTC", after: "2024-06-17T10:20:00Z",
                     fires: ["2024-06-18T00:00:00Z"]),
    ]

    @Test(arguments: leapDayCases)
    func leapDays(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    @Test(arguments: dayFieldCases)
    func dayOfMonthAndDayOfWeek(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    @Test(arguments: namesAndStepsCases)
    func namesAndSteps(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    @Test(arguments: macroCases)
    func macros(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    /// Spellings that must mean the same schedule: they fire at the same instants.
    @Test(arguments: [
        ("0 0 * * 0", "0 0 * * 7"),
        ("0 0 * * 0", "0 0 * * sUn"),
        ("0 9 * jan,jul mon-fri", "0 9 * 1,7 1-5"),
        ("0 9 * JAN-MAR *", "0 9 * 1-3 *"),
        ("*/20 * * * *", "0,20,40 * * * *"),
        ("0 */6 * * *", "0 0-23/6 * * *"),
        ("30/15 * * * *", "30-59/15 * * * *"),
        ("0 0 * * 5/1", "0 0 * * 5-7"),
        ("@hourly", "0 * * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@yearly", "0 0 1 1 *"),
        ("0\t0  *   * *", "0 0 * * *"),
    ])
    func equivalentSpellings(_ pair: (String, String)) throws {
        let zone = try CronFixture.zone("America/New_York")
        let start = try CronFixture.instant("2024-01-01T00:00:00Z")
        let first = try CronExpression(pair.0, timeZone: zone).nextFireDates(after: start, count: 30)
        let second = try CronExpression(pair.1, timeZone: zone).nextFireDates(after: start, count: 30)
        #expect(first.count == 30)
        #expect(first == second)
    }

    @Test func fireTimesAreStrictlyAfterTheStart() throws {
        let cron = try CronExpression("0 12 * * *", timeZone: CronFixture.zone("UTC"))
        let noon = try CronFixture.instant("2024-06-01T12:00:00Z")
        #expect(cron.nextFireDate(after: noon) == (try CronFixture.instant("2024-06-02T12:00:00Z")))
        #expect(cron.nextFireDate(after: noon.addingTimeInterval(-0.001)) == noon)
        #expect(cron.nextFireDate(after: noon.addingTimeInterval(-1)) == noon)
    }

    @Test func countsOfZeroOrLessGiveNoFires() throws {
        let cron = try CronExpression("* * * * *", timeZone: CronFixture.zone("UTC"))
        #expect(cron.nextFireDates(after: Date(timeIntervalSince1970: 0), count: 0).isEmpty)
        #expect(cron.nextFireDates(after: Date(timeIntervalSince1970: 0), count: -3).isEmpty)
    }

    @Test func searchesStopAtTheYear10000() throws {
        let leapSunday = try CronExpression("0 0 29 2 */7", timeZone: CronFixture.zone("UTC"))
        let late = try CronFixture.instant("9990-01-01T00:00:00Z")
        #expect(leapSunday.nextFireDate(after: late) == nil)
        #expect(leapSunday.nextFireDate(after: .distantFuture) != nil)  // distantFuture is in 4001
        #expect(leapSunday.nextFireDate(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(leapSunday.nextFireDate(after: Date(timeIntervalSince1970: .nan)) == nil)
    }

    @Test func farFutureDaylightSavingFollowsTheZone() throws {
        // Beyond the offset table built at parse time (to 2300): the table grows on demand.
        let zone = try CronFixture.zone("America/New_York")
        let march2450 = try CronFixture.instant("2450-03-01T00:00:00Z")
        let springForward = try #require(zone.nextDaylightSavingTimeTransition(after: march2450))
        let cron = try CronExpression("30 2 * * *", timeZone: zone)
        // 02:30 does not exist that day: fire at the end of the gap, the transition itself.
        #expect(cron.nextFireDate(after: springForward.addingTimeInterval(-6 * 3600)) == springForward)
    }

    @Test func equalityAndDescriptionUseTheTextAndZone() throws {
        let berlin = try CronFixture.zone("Europe/Berlin")
        let a = try CronExpression("0 3 * * *", timeZone: berlin)
        let b = try CronExpression("0 3 * * *", timeZone: berlin)
        let otherZone = try CronExpression("0 3 * * *", timeZone: CronFixture.zone("UTC"))
        let otherText = try CronExpression("0 3 * * 0-7", timeZone: berlin)
        #expect(a == b)
        #expect(a != otherZone)
        #expect(a != otherText)
        #expect(Set([a, b, otherZone, otherText]).count == 3)
        #expect(a.description == "0 3 * * *")
        #expect(a.source == "0 3 * * *")
        #expect(a.timeZone == berlin)
    }
}
