import Foundation
import Cron
import Testing

@Suite("Cron parse errors")
struct CronParseErrorTests {
    struct Rejection: Sendable, CustomTestStringConvertible {
        let text: String
        let code: CronParseError.Code
        let field: String?
        let column: Int?

        init(_ text: String, _ code: CronParseError.Code, _ field: String?, column: Int?) {
            self.text = text
            self.code = code
            self.field = field
            self.column = column
        }

        var testDescription: String { "'\(text)'" }
    }

    static let rejections: [Rejection] = [
        Rejection("", .empty, nil, column: nil),
        Rejection(" \t ", .empty, nil, column: nil),
        Rejection("0 0 * *", .fieldCount, nil, column: nil),
        Rejection("0 0 * * * *", .fieldCount, nil, column: 11),
        Rejection("@daily 5", .fieldCount, nil, column: 8),
        Rejection("x 0 * * *", .invalidValue, "minute", column: 1),
        Rejection("1,,2 * * * *", .invalidValue, "minute", column: 3),
        Rejection("1, * * * *", .invalidValue, "minute", column: 3),
        Rejection("*-5 * * * *", .invalidValue, "minute", column: 1),
        Rejection("/5 * * * *", .invalidValue, "minute", column: 1),
        Rejection("0 0 ? * *", .invalidValue, "day-of-month", column: 5),
        Rejection("0 1x * * *", .invalidValue, "hour", column: 3),
        Rejection("0 0 -1 * *", .invalidValue, "day-of-month", column: 5),
        Rejection("0 0 L * *", .invalidValue, "day-of-month", column: 5),
        Rejection("60 * * * *", .outOfRange, "minute", column: 1),
        Rejection("0 24 * * *", .outOfRange, "hour", column: 3),
        Rejection("0 0 0 * *", .outOfRange, "day-of-month", column: 5),
        Rejection("0 0 32 * *", .outOfRange, "day-of-month", column: 5),
        Rejection("0 0 * 13 *", .outOfRange, "month", column: 7),
        Rejection("0 0 * 0 *", .outOfRange, "month", column: 7),
        Rejection("0 0 * * 8", .outOfRange, "day-of-week", column: 9),
        Rejection("0 0 * * 1-99999999999999999999", .outOfRange, "day-of-week", column: 11),
        Rejection("  61 * * * *", .outOfRange, "minute", column: 3),
        Rejection("*/0 * * * *", .invalidStep, "minute", column: 3),
        Rejection("*/ * * * *", .invalidStep, "minute", column: 2),
        Rejection("*/x * * * *", .invalidStep, "minute", column: 3),
        Rejection("0 1-5/2/3 * * *", .invalidStep, "hour", column: 7),
        Rejection("5-1 * * * *", .invalidRange, "minute", column: 1),
        Rejection("5- * * * *", .invalidRange, "minute", column: 2),
        Rejection("1-2-3 * * * *", .invalidRange, "minute", column: 4),
        Rejection("0 0 * * fri-mon", .invalidRange, "day-of-week", column: 9),
        Rejection("0 0 * * sat-sun", .invalidRange, "day-of-week", column: 9),
        Rejection("0 0 * * mnd", .unknownName, "day-of-week", column: 9),
        Rejection("0 0 * foo *", .unknownName, "month", column: 7),
        Rejection("0 0 * jan-foo *", .unknownName, "month", column: 11),
        Rejection("0 0 * * monday", .unknownName, "day-of-week", column: 9),
        Rejection("0  0\t* * x", .unknownName, "day-of-week", column: 10),
        Rejection("0 0 * mon *", .unknownName, "month", column: 7),
        Rejection("@reboot", .unknownMacro, nil, column: 1),
        Rejection("@every 5m", .unknownMacro, nil, column: 1),
        Rejection("  @fortnightly", .unknownMacro, nil, column: 3),
        Rejection("0 0 30 2 *", .neverFires, "day-of-month", column: 5),
        Rejection("0 0 31 4,6,9,11 *", .neverFires, "day-of-month", column: 5),
        Rejection("0 0 30,31 feb *", .neverFires, "day-of-month", column: 5),
        // Day of week starts with '*', so it must match as well as day of month.
        Rejection("0 0 31 2 */2", .neverFires, "day-of-month", column: 5),
    ]

    @Test(arguments: rejections)
    func rejects(_ rejection: Rejection) throws {
        let error = try #require(throws: CronParseError.self) {
            try CronExpression(rejection.text, timeZone: CronFixture.zone("UTC"))
        }
        #expect(error.code == rejection.code)
        #expect(error.field == rejection.field)
        #expect(error.position == rejection.column)
    }

    @Test(arguments: [
        "0 0 29 2 *",           // leap years
        "0 0 31 * *",           // months that have a 31st
        "0 0 30 2 mon",         // both restricted: Mondays in February fire
        "0 0 31 2,3 *",         // March has a 31st
        "0 0 30 */2 *",         // odd months, all with a 30th
        "*/59 */23 */31 */12 */7",
        "0-59 0-23 1-31 1-12 0-7",
        "59 23 31 12 7",
        "0 0 * * 7-7",
        "0 0 * * 6-7",
    ])
    func accepts(_ text: String) throws {
        let cron = try CronExpression(text, timeZone: CronFixture.zone("UTC"))
        #expect(cron.nextFireDate(after: Date(timeIntervalSince1970: 0)) != nil)
    }

    /// Messages say where and what was expected, in words a user can act on.
    @Test(arguments: [
        ("0 0 * * mnd", "day-of-week field at column 9: 'mnd' is not a day name; expected 0-7 or sun..sat"),
        ("0 0 * * monday", "day-of-week field at column 9: 'monday' is not a day name; use the three-letter 'mon'"),
        ("0 24 * * *", "hour field at column 3: 24 is out of range; expected 0-23"),
        ("0 0 * * fri-sun", "day-of-week field at column 9: range 'fri-sun' goes backwards; expected low-high, such as mon-fri; sun counts as 0 here, so write 5-7"),
        ("0 0 * 13 *", "month field at column 7: 13 is out of range; expected 1-12 or jan..dec"),
        ("*/0 * * * *", "minute field at column 3: step 0 never advances; expected a step of 1 or more"),
        ("0 0 31 4,6,9,11 *",
         "day-of-month field at column 5: '31' never falls in april, june, september or november, so the expression would never fire; choose days those months have"),
        ("0 0 * *", "expected 5 fields (minute hour day-of-month month day-of-week) but found 4; missing day-of-week"),
        ("0 0 * * * *", "column 11: expected 5 fields (minute hour day-of-month month day-of-week) but found 6; '*' is one too many"),
    ])
    func messages(_ example: (text: String, message: String)) throws {
        let error = try #require(throws: CronParseError.self) {
            try CronExpression(example.text, timeZone: CronFixture.zone("UTC"))
        }
        #expect(error.message == example.message)
        #expect("\(error)" == example.message)
    }

    @Test func rebootSaysWhyItIsRefused() throws {
        let error = try #require(throws: CronParseError.self) { try CronExpression("@reboot") }
        #expect(error.message.contains("@reboot is not supported"))
        #expect(error.message.contains("@daily"))
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "Etc/GMT+5"])
    func knownTimeZones(_ identifier: String) throws {
        let zone = try CronExpression.timeZone(named: identifier)
        #expect(zone.secondsFromGMT() == TimeZone(identifier: identifier)?.secondsFromGMT())
    }

    @Test(arguments: [
        ("Europe/Berln", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
        ("PST", "America/Los_Angeles"),
        ("GMT+5", nil),
        ("Mars/Olympus_Mons", nil),
        ("", nil),
    ] as [(String, String?)])
    func unknownTimeZones(_ example: (identifier: String, suggestion: String?)) throws {
        let error = try #require(throws: CronParseError.self) { try CronExpression.timeZone(named: example.identifier) }
        #expect(error.code == .unknownName)
        #expect(error.message.contains("unknown time zone '\(example.identifier)'"))
        if let suggestion = example.suggestion {
            #expect(error.message.hasSuffix("did you mean '\(suggestion)'?"))
        }
    }
}
