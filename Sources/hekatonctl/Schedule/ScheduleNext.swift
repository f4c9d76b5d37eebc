import ArgumentParser
import Cron
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Hekatonctl.ScheduleCommand {
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Preview when a cron expression fires; needs no daemon.",
            discussion: """
            Five fields (minute hour day-of-month month day-of-week), names (jan, mon), ranges, \
            steps (*/15, 5-50/10), lists, Sunday as 0 or 7, and @hourly @daily @weekly \
            @monthly @yearly. Days follow Debian cron: when both day fields are restricted a \
            day matches if either does. Daylight saving also follows Debian cron: a fixed time \
            skipped by a spring-forward gap fires once right after the gap; a fixed time that \
            occurs twice fires once, at its first occurrence.

            Examples:
              hekatonctl schedule next '0 2 * * *' --tz Europe/Berlin --count 3
              hekatonctl schedule next '30 2 * * *' --tz America/New_York --after 2026-03-07T00:00:00Z --json
            """
        )

        @Argument(help: "The cron expression (quote it).")
        var expression: String

        @Option(help: ArgumentHelp("IANA time zone of the expression (default: this machine's).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("Start after this RFC 3339 instant (default: now).", valueName: "instant"))
        var after: String?

        @Option(help: "How many fire times to print.")
        var count = 5

        @OptionGroup var format: OutputOptions<PreviewJSON>

        func validate() throws {
            guard (1...10_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000") }
        }

        func run() throws {
            try reportingFailures {
                let zone = try Self.zone(tz)
                let start = try Self.instant(after) ?? Date()
                let cron: CronExpression
                do {
                    cron = try CronExpression(expression, timeZone: zone)
                } catch {
                    throw CommandFailure(message: "invalid cron expression '\(expression)': \(error)", exitCode: 64)
                }
                let fires = cron.nextFireDates(after: start, count: count)
                if format.json {
                    try printJSON(Preview(expression: expression, timeZone: zone.identifier, next: fires.map(Timestamps.utc)))
                    return
                }
                var table = TextTable(["#", "\(zone.identifier)", "UTC"])
                for (index, fire) in fires.enumerated() {
                    table.add(["\(index + 1)", Timestamps.local(fire, in: zone), Timestamps.utc(fire)])
                }
                print(table.render())
                if fires.count < count { print("(no more fire times before the year 10000)") }
            }
        }

        struct Preview: Encodable {
            let expression: String
            let timeZone: String
            let next: [String]
        }

        static func zone(_ name: String?) throws -> TimeZone {
            guard let name else { return TimeZone.current }
            do { return try CronExpression.timeZone(named: name) } catch {
                throw CommandFailure(message: "\(error)", exitCode: 64)
            }
        }

        static func instant(_ text: String?) throws -> Date? {
            guard let text else { return nil }
            guard let date = Timestamps.parse(text) else {
                throw CommandFailure(message: "--after '\(text)' is not an RFC 3339 instant; write it like 2026-03-08T07:00:00Z", exitCode: 64)
            }
            return date
        }
    }
}
