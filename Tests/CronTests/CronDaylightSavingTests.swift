import Testing

/// Fire times across daylight-saving shifts. Expected instants come from cronsim 2.8,
/// which implements Debian cron's rules, unless a case says otherwise; the comments give
/// the same instants on the zone's wall clock.
@Suite("Cron daylight saving")
struct CronDaylightSavingTests {
    static let springForwardCases: [CronFireCase] = [
        // 2024-03-10, 02:00 EST becomes 03:00 EDT. Fixed times in the gap fire once at 03:00.
        CronFireCase("30 2 * * *", "America/New_York", after: "2024-03-09T17:00:00Z",
                     fires: ["2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z"]),  // 03:00 EDT, 02:30 EDT
        CronFireCase("0 2 * * *", "America/New_York", after: "2024-03-09T17:00:00Z",
                     fires: ["2024-03-10T07:00:00Z", "2024-03-11T06:00:00Z"]),
        // A '*' in the hour or minute field: nothing fires in the gap.
        CronFireCase("*/30 2 * * *", "America/New_York", after: "2024-03-09T17:00:00Z",
                     fires: ["2024-03-11T06:00:00Z", "2024-03-11T06:30:00Z"]),
        CronFireCase("0 * * * *", "America/New_York", after: "2024-03-10T05:30:00Z",
                     fires: ["2024-03-10T06:00:00Z", "2024-03-10T07:00:00Z", "2024-03-10T08:00:00Z"]),  // 01:00 EST, 03:00 EDT, 04:00 EDT
        // 2024-03-31, 02:00 CET becomes 03:00 CEST.
        CronFireCase("30 2 * * *", "Europe/Berlin", after: "2024-03-30T11:00:00Z",
                     fires: ["2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z"]),  // 03:00 CEST, 02:30 CEST
        CronFireCase("*/30 2 * * *", "Europe/Berlin", after: "2024-03-30T23:00:00Z",
                     fires: ["2024-04-01T00:00:00Z", "2024-04-01T00:30:00Z"]),
        CronFireCase("15 2 31 3 *", "Europe/Berlin", after: "2023-12-31T23:00:00Z",
                     fires: ["2024-03-31T01:00:00Z", "2025-03-31T00:15:00Z"]),
        // 2024-10-06, Lord Howe moves 30 minutes: 02:00 +10:30 becomes 02:30 +11.
        CronFireCase("15 2 * * *", "Australia/Lord_Howe", after: "2024-10-05T01:30:00Z",
                     fires: ["2024-10-05T15:30:00Z", "2024-10-06T15:15:00Z"]),  // 02:30 +11, 02:15 +11
        CronFireCase("0,30 * * * *", "Australia/Lord_Howe", after: "2024-10-05T14:15:00Z",
                     fires: ["2024-10-05T14:30:00Z", "2024-10-05T15:00:00Z", "2024-10-05T15:30:00Z"]),  // 01:00, 01:30 +10:30, 02:30 +11
        CronFireCase("*/10 2 * * *", "Australia/Lord_Howe", after: "2024-10-05T13:30:00Z",
                     fires: ["2024-10-05T15:30:00Z", "2024-10-05T15:40:00Z", "2024-10-05T15:50:00Z", "2024-10-06T15:00:00Z"]),
        // Brute force over every minute; cronsim skips 05:00 here because it steps hours by
        // 3600 s from the half-hour-shifted time after the gap.
        CronFireCase("*/30 5 * * *", "Australia/Lord_Howe", after: "2024-10-05T13:30:00Z",
                     fires: ["2024-10-05T18:00:00Z", "2024-10-05T18:30:00Z", "2024-10-06T18:00:00Z"]),
        // 2024-09-29, Chatham's 02:45 +12:45 becomes 03:45 +13:45.
        CronFireCase("0 3 * * *", "Pacific/Chatham", after: "2024-09-27T23:15:00Z",
                     fires: ["2024-09-28T14:00:00Z", "2024-09-29T13:15:00Z"]),  // 03:45 +13:45, 03:00 +13:45
        CronFireCase("*/20 2,3 * * *", "Pacific/Chatham", after: "2024-09-28T11:15:00Z",
                     fires: ["2024-09-28T13:15:00Z", "2024-09-28T13:35:00Z", "2024-09-28T13:55:00Z", "2024-09-29T12:15:00Z"]),
        // Brute force; cronsim skips 04:45 (as above).
        CronFireCase("45 */2 * * *", "Pacific/Chatham", after: "2024-09-28T12:15:00Z",
                     fires: ["2024-09-28T15:00:00Z", "2024-09-28T17:00:00Z", "2024-09-28T19:00:00Z"]),  // 04:45, 06:45, 08:45 +13:45
        // 2018-11-04, São Paulo skipped midnight: 00:00 -03 became 01:00 -02.
        CronFireCase("0 0 * * *", "America/Sao_Paulo", after: "2018-11-03T15:00:00Z",
                     fires: ["2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z"]),  // 01:00 -02, 00:00 -02
        CronFireCase("*/30 0 * * *", "America/Sao_Paulo", after: "2018-11-03T15:00:00Z",
                     fires: ["2018-11-05T02:00:00Z", "2018-11-05T02:30:00Z", "2018-11-06T02:00:00Z"]),
    ]

    static let fallBackCases: [CronFireCase] = [
        // 2024-11-03, 02:00 EDT becomes 01:00 EST. Fixed times fire at the first 01:30 only.
        CronFireCase("30 1 * * *", "America/New_York", after: "2024-11-02T16:00:00Z",
                     fires: ["2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"]),  // 01:30 EDT, 01:30 EST
        CronFireCase("0-59/20 1 * * *", "America/New_York", after: "2024-11-03T04:00:00Z",
                     fires: ["2024-11-03T05:00:00Z", "2024-11-03T05:20:00Z", "2024-11-03T05:40:00Z", "2024-11-04T06:00:00Z"]),
        // A '*' in the minute field: both 01:00 and both 01:30 fire.
        CronFireCase("*/30 1 * * *", "America/New_York", after: "2024-11-03T04:00:00Z",
                     fires: ["2024-11-03T05:00:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:00:00Z", "2024-11-03T06:30:00Z",
                             "2024-11-04T06:00:00Z"]),
        // Asked during the second 01:30 (EST): the first 01:45 is already past, so the next
        // fire is tomorrow's. (cronsim answers 05:45Z, which is before the start.)
        CronFireCase("45 1 * * *", "America/New_York", after: "2024-11-03T06:30:00Z",
                     fires: ["2024-11-04T06:45:00Z"]),
        // 2024-10-27, 03:00 CEST becomes 02:00 CET.
        CronFireCase("30 2 * * *", "Europe/Berlin", after: "2024-10-26T10:00:00Z",
                     fires: ["2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"]),
        CronFireCase("*/30 2 * * *", "Europe/Berlin", after: "2024-10-26T22:00:00Z",
                     fires: ["2024-10-27T00:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:00:00Z", "2024-10-27T01:30:00Z",
                             "2024-10-28T01:00:00Z"]),
        // 2024-04-07, Lord Howe's 02:00 +11 becomes 01:30 +10:30: half an hour repeats.
        CronFireCase("45 1 * * *", "Australia/Lord_Howe", after: "2024-04-06T01:00:00Z",
                     fires: ["2024-04-06T14:45:00Z", "2024-04-07T15:15:00Z"]),  // 01:45 +11, 01:45 +10:30
        CronFireCase("*/15 1 * * *", "Australia/Lord_Howe", after: "2024-04-06T13:00:00Z",
                     fires: ["2024-04-06T14:00:00Z", "2024-04-06T14:15:00Z", "2024-04-06T14:30:00Z", "2024-04-06T14:45:00Z",
                             "2024-04-06T15:00:00Z", "2024-04-06T15:15:00Z", "2024-04-07T14:30:00Z"]),
        // Brute force; cronsim skips 05:00 (see spring forward).
        CronFireCase("*/30 5 * * *", "Australia/Lord_Howe", after: "2024-04-06T13:00:00Z",
                     fires: ["2024-04-06T18:30:00Z", "2024-04-06T19:00:00Z", "2024-04-07T18:30:00Z"]),
        // 2024-04-07, Chatham's 03:45 +13:45 becomes 02:45 +12:45.
        CronFireCase("30 3 * * *", "Pacific/Chatham", after: "2024-04-05T22:15:00Z",
                     fires: ["2024-04-06T13:45:00Z", "2024-04-07T14:45:00Z"]),  // 03:30 +13:45, 03:30 +12:45
        CronFireCase("*/30 3 * * *", "Pacific/Chatham", after: "2024-04-06T10:15:00Z",
                     fires: ["2024-04-06T13:15:00Z", "2024-04-06T13:45:00Z", "2024-04-06T14:15:00Z", "2024-04-06T14:45:00Z",
                             "2024-04-07T14:15:00Z"]),
    ]

    static let withoutDaylightSavingCases: [CronFireCase] = [
        CronFireCase("0 2 * * *", "Asia/Tokyo", after: "2024-03-09T03:00:00Z",
                     fires: ["2024-03-09T17:00:00Z", "2024-03-10T17:00:00Z", "2024-03-11T17:00:00Z"]),
        CronFireCase("*/30 2 * * *", "UTC", after: "2024-03-31T00:00:00Z",
                     fires: ["2024-03-31T02:00:00Z", "2024-03-31T02:30:00Z", "2024-04-01T02:00:00Z"]),
        CronFireCase("0 * * * *", "Asia/Kolkata", after: "2024-06-01T10:10:00Z",
                     fires: ["2024-06-01T10:30:00Z", "2024-06-01T11:30:00Z"]),
        CronFireCase("0 0 * * 0", "Asia/Kolkata", after: "2024-06-01T10:10:00Z",
                     fires: ["2024-06-01T18:30:00Z", "2024-06-08T18:30:00Z"]),
    ]

    @Test(arguments: springForwardCases)
    func springForward(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    @Test(arguments: fallBackCases)
    func fallBack(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }

    @Test(arguments: withoutDaylightSavingCases)
    func withoutDaylightSaving(_ fireCase: CronFireCase) throws {
        try fireCase.expectFires()
    }
}
