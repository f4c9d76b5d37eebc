import Foundation
import Cron
import Testing

/// Seeded random expressions, zones and start instants (many near a daylight-saving
/// transition), checked against properties any correct engine has. The fields are
/// generated together with the values they stand for, so the checks never parse text.
@Suite("Cron properties")
struct CronPropertyTests {
    static let cases: [RandomCase] = {
        var generator = CronSeededGenerator(seed: 20_240_310)
        return (0..<300).map { _ in RandomCase(using: &generator) }
    }()

    @Test(arguments: cases)
    func fireTimesAreOrderedMatchingAndComplete(_ randomCase: RandomCase) throws {
        let zone = try CronFixture.zone(randomCase.zone)
        let schedule = randomCase.schedule
        guard schedule.canEverFire else {
            let error = try #require(throws: CronParseError.self) { try CronExpression(schedule.text, timeZone: zone) }
            #expect(error.code == .neverFires)
            return
        }
        let cron = try CronExpression(schedule.text, timeZone: zone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone

        let fires = cron.nextFireDates(after: randomCase.start, count: 5)
        try #require(fires.count == 5)
        var previous = randomCase.start
        for fire in fires {
            #expect(fire > previous, "fires must be strictly after the previous one")
            #expect(cron.nextFireDate(after: fire.addingTimeInterval(-1)) == fire, "asking just before a fire finds it")
            #expect(fire.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0)
            if !schedule.matches(calendar.dateComponents(in: zone, from: fire)) {
                // Only a fixed-time schedule may fire off its fields: at the end of a gap that
                // swallowed one of its wall times.
                #expect(schedule.isFixedTime, "wall time of \(fire) does not match")
                #expect(skippedWallTimeMatches(endingAt: fire, schedule, zone), "\(fire) is not the end of a gap with a match")
            }
            previous = fire
        }
        try expectNothingMissed(before: fires[0], after: randomCase.start, schedule, calendar)
    }

    /// Walks every minute between the start and the first fire (up to six hours) and
    /// fails on any instant where the schedule should have fired.
    private func expectNothingMissed(before firstFire: Date, after start: Date, _ schedule: RandomSchedule,
                                     _ calendar: Calendar) throws {
        let zone = calendar.timeZone
        let end = min(firstFire, start.addingTimeInterval(6 * 3600))
        var instant = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        while instant < end {
            if schedule.matches(calendar.dateComponents(in: zone, from: instant)) {
                #expect(schedule.isFixedTime && isRepeatedWallTime(instant, zone), "missed a fire at \(instant)")
            }
            if schedule.isFixedTime {
                #expect(!skippedWallTimeMatches(endingAt: instant, schedule, zone), "missed a fire after the gap at \(instant)")
            }
            instant.addTimeInterval(60)
        }
    }

    /// Whether `instant` ends a daylight-saving gap that skipped a wall time the
    /// schedule matches.
    private func skippedWallTimeMatches(endingAt instant: Date, _ schedule: RandomSchedule, _ zone: TimeZone) -> Bool {
        let before = zone.secondsFromGMT(for: instant.addingTimeInterval(-1))
        let after = zone.secondsFromGMT(for: instant)
        guard after > before else { return false }
        // The wall times in the gap, read on the clock as it runs after the gap.
        var afterGap = Calendar(identifier: .gregorian)
        afterGap.timeZone = TimeZone(secondsFromGMT: after)!
        return (1...(after - before) / 60).contains { minutes in
            schedule.matches(afterGap.dateComponents(in: afterGap.timeZone, from: instant.addingTimeInterval(-60 * Double(minutes))))
        }
    }

    /// Whether the wall time at `instant` was already shown earlier, before a fall-back.
    private func isRepeatedWallTime(_ instant: Date, _ zone: TimeZone) -> Bool {
        let now = zone.secondsFromGMT(for: instant)
        let earlierOffset = zone.secondsFromGMT(for: instant.addingTimeInterval(-3 * 3600))
        guard earlierOffset > now else { return false }
        let firstShowing = instant.addingTimeInterval(-Double(earlierOffset - now))
        return zone.secondsFromGMT(for: firstShowing) == earlierOffset
    }
}

extension CronPropertyTests {
    struct RandomCase: Sendable, CustomTestStringConvertible {
        let schedule: RandomSchedule
        let zone: String
        let start: Date

        static let zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Tokyo",
                            "UTC", "America/Sao_Paulo", "America/St_Johns"]

        init(using generator: inout CronSeededGenerator) {
            zone = Self.zones.randomElement(using: &generator)!
            let uniform = Date(timeIntervalSince1970: Double(Int.random(in: 631_152_000...2_208_988_800, using: &generator)))
            // Half the cases start a few hours before a transition, close enough for the scan
            // for missed fires to cross it, with times of day that the shift affects.
            if Bool.random(using: &generator),
               let transition = TimeZone(identifier: zone)?.nextDaylightSavingTimeTransition(after: uniform),
               transition.timeIntervalSince(uniform) < 400 * 86_400 {
                start = transition.addingTimeInterval(-Double(Int.random(in: 0...(5 * 3600), using: &generator)))
                schedule = RandomSchedule(nearTransition: true, using: &generator)
            } else {
                start = uniform
                schedule = RandomSchedule(nearTransition: false, using: &generator)
            }
        }

        var testDescription: String { "'\(schedule.text)' in \(zone) after \(CronFixture.rfc3339(start))" }
    }

    /// A random five-field expression and, for each field, the values it means.
    struct RandomSchedule: Sendable {
        let fields: [String]
        /// Day of week holds 0...6, with 7 folded into 0.
        let values: [Set<Int>]

        static let bounds = [0...59, 0...23, 1...31, 1...12, 0...7]
        static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        /// Minutes and hours that land in or next to daylight-saving shifts, which happen
        /// between midnight and 04:00 in the zones tested.
        static let transitionItems: [[(String, Set<Int>)]] = [
            [("0", [0]), ("30", [30]), ("45", [45]), ("0,30", [0, 30]), ("*/15", [0, 15, 30, 45]), ("15-45/15", [15, 30, 45]),
             ("*", Set(0...59))],
            [("0-3", [0, 1, 2, 3]), ("1", [1]), ("2", [2]), ("3", [3]), ("1,2", [1, 2]), ("0", [0]), ("*/2", Set(stride(from: 0, to: 24, by: 2))),
             ("2/1", Set(2...23)), ("*", Set(0...23))],
        ]

        var text: String { fields.joined(separator: " ") }
        var isFixedTime: Bool { !fields[0].hasPrefix("*") && !fields[1].hasPrefix("*") }
        private var eitherDayMatches: Bool { !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*") }

        init(nearTransition: Bool, using generator: inout CronSeededGenerator) {
            var fields: [String] = []
            var values: [Set<Int>] = []
            for index in 0..<5 {
                let likely = Double.random(in: 0..<1, using: &generator) < (nearTransition ? 0.75 : 0.35)
                let items = index >= 2 && likely ? [("*", Set(Self.bounds[index]))]
                    : index < 2 && likely && nearTransition ? [Self.transitionItems[index].randomElement(using: &generator)!]
                    : (0..<Int.random(in: 1...2, using: &generator)).map { _ in Self.item(index, using: &generator) }
                fields.append(items.map(\.0).joined(separator: ","))
                var set = items.reduce(into: Set<Int>()) { $0.formUnion($1.1) }
                if index == 4, set.remove(7) != nil { set.insert(0) }
                values.append(set)
            }
            self.fields = fields
            self.values = values
        }

        /// Debian's rule: when both day fields are restricted either may match.
        func matches(_ wall: DateComponents) -> Bool {
            guard let minute = wall.minute, let hour = wall.hour, let day = wall.day, let month = wall.month,
                  let weekday = wall.weekday, wall.second == 0 else { return false }
            let byDay = values[2].contains(day)
            let byWeekday = values[4].contains(weekday - 1)
            return values[0].contains(minute) && values[1].contains(hour) && values[3].contains(month)
                && (eitherDayMatches ? byDay || byWeekday : byDay && byWeekday)
        }

        /// Every date falls on every weekday over the years, so only a day of month that
        /// no chosen month has (29 February counts) can make a schedule impossible.
        var canEverFire: Bool {
            let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            return eitherDayMatches || values[3].contains { month in values[2].contains { $0 <= longest[month - 1] } }
        }

        private static func item(_ index: Int, using generator: inout CronSeededGenerator) -> (String, Set<Int>) {
            var bounds = bounds[index]
            if index == 2, Bool.random(using: &generator) { bounds = 25...31 }  // month ends matter most
            let high = Self.bounds[index].upperBound
            // Now and then a step beyond the field's range: as in Debian, it selects the start alone.
            let step = Int.random(in: 0..<8, using: &generator) == 0
                ? Int.random(in: high...(high * 3), using: &generator) : Int.random(in: 1...min(high, 15), using: &generator)
            let first = Int.random(in: bounds, using: &generator)
            let last = Int.random(in: first...bounds.upperBound, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:
                return ("*", Set(Self.bounds[index]))
            case 1:
                return ("*/\(step)", Set(stride(from: Self.bounds[index].lowerBound, through: high, by: step)))
            case 2:
                return (spell(first, index, using: &generator), [first])
            case 3:
                return ("\(spell(first, index, using: &generator))-\(spell(last, index, using: &generator))", Set(first...last))
            case 4:
                return ("\(first)-\(last)/\(step)", Set(stride(from: first, through: last, by: step)))
            default:
                return ("\(first)/\(step)", Set(stride(from: first, through: high, by: step)))
            }
        }

        /// Month and weekday values are sometimes written as names, in varying case.
        private static func spell(_ value: Int, _ index: Int, using generator: inout CronSeededGenerator) -> String {
            let names = index == 3 ? monthNames : index == 4 && value < 7 ? dayNames : []
            guard !names.isEmpty, Bool.random(using: &generator) else { return String(value) }
            let name = names[index == 3 ? value - 1 : value]
            return Bool.random(using: &generator) ? name.uppercased() : name
        }
    }
}
