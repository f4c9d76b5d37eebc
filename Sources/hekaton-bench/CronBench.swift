import ArgumentParser
import Cron
import Foundation
import Scheduler

extension HekatonBench {
    /// How many next-fire computations per second the cron engine does, on a mix of
    /// expression shapes and zones with daylight saving (30-minute and 45-minute offsets
    /// included), from start instants spread over twenty years.
    struct CronBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cron",
            abstract: "Next-fire computations per second for a mix of cron expressions and time zones.")

        @Option(help: "How long to measure, in seconds.")
        var seconds: Double = 3

        func validate() throws {
            guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        }

        func run() throws {
            let mix: [(expression: String, zone: String)] = [
                ("*/15 * * * *", "America/New_York"),
                ("0 3 * * *", "Europe/Berlin"),
                ("30 2 * * 1-5", "Australia/Lord_Howe"),
                ("45 2 * * *", "Pacific/Chatham"),
                ("0 0 29 2 *", "Europe/Berlin"),
                ("5 4 * * sun", "Asia/Tokyo"),
                ("@hourly", "UTC"),
                ("0 9-17 * * mon-fri", "America/Los_Angeles"),
                ("0 0 1,15 * *", "Europe/London"),
                ("*/5 1-3 * * *", "America/Sao_Paulo"),
                ("0 12 13 * 5", "UTC"),
                ("@weekly", "Australia/Sydney"),
            ]
            let expressions = try mix.map { entry in
                try CronExpression(entry.expression, timeZone: CronExpression.timeZone(named: entry.zone))
            }
            // Every 86,413 s (a day and a bit) from 2020: starts at all times of day.
            let starts = (0..<4096).map { Date(timeIntervalSince1970: 1_577_836_800 + Double($0) * 86_413) }

            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(Int(seconds * 1000))
            let began = clock.now
            var computations = 0
            var checksum = 0.0
            repeat {
                for round in 0..<10_000 {
                    let expression = expressions[round % expressions.count]
                    checksum += expression.nextFireDate(after: starts[round & 4095])?.timeIntervalSince1970 ?? 0
                }
                computations += 10_000
            } while clock.now < deadline
            let elapsed = began.duration(to: clock.now)
            let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

            print("cron: \(computations) next-fire computations in \(String(format: "%.2f", elapsedSeconds)) s")
            // Using the results keeps the optimizer from skipping the work.
            precondition(checksum > 0, "no expression fired")
            print("cron: \(Int(Double(computations) / elapsedSeconds)) per second (\(mix.count) expressions)")
        }
    }
}
