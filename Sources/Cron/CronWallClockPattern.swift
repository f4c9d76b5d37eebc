/// The wall-clock minutes a cron expression matches, as bitsets, and the search for the
/// next one. Knows nothing of time zones: wall times count seconds since 1970-01-01
/// 00:00 on the wall clock.
struct CronWallClockPattern: Sendable {
    /// Bits 0...59.
    let minutes: UInt64
    /// Bits 0...23.
    let hours: UInt64
    /// Bits 1...31.
    let daysOfMonth: UInt64
    /// Bits 1...12.
    let months: UInt64
    /// Bits 0...6, Sunday is 0 (a 7 in the expression is folded into 0).
    let daysOfWeek: UInt64
    /// Debian cron: when both day fields are restricted (neither starts with `*`), a day
    /// matches if either field matches; otherwise both must.
    let daysMatchEither: Bool

    /// Searches give up after this year and report no match; far enough for any
    /// schedule, near enough that the search always ends quickly.
    static let lastYear = 9999

    init(minutes: UInt64, hours: UInt64, daysOfMonth: UInt64, months: UInt64, daysOfWeek: UInt64,
         daysMatchEither: Bool) {
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.daysOfWeek = (daysOfWeek | daysOfWeek >> 7) & 0x7F
        self.daysMatchEither = daysMatchEither
    }

    /// Whether some day in some year matches. Every day of every month falls on every
    /// weekday within the 400-year Gregorian cycle (29 February included), so only the
    /// day-of-month field can make an expression impossible, and only when it must
    /// match together with the day-of-week field.
    var canEverMatch: Bool {
        daysMatchEither || (1...12).contains { month in
            months & (1 << month) != 0 && daysOfMonth & Self.monthDays(Self.longestMonth(month)) != 0
        }
    }

    /// 2000 is a leap year, so February counts 29 days.
    private static func longestMonth(_ month: Int) -> Int {
        CivilDate.daysInMonth(year: 2000, month: month)
    }

    /// The first matching whole minute at or after `wallTime`; nil when there is none
    /// before the end of `lastYear`.
    func firstMatch(atOrAfter wallTime: Int) -> Int? {
        let minuteCount = wallTime.ceilingDivided(by: 60)
        let dayCount = minuteCount.floorDivided(by: 1440)
        let minuteOfDay = minuteCount - dayCount * 1440
        let start = CivilDate(daysSinceEpoch: dayCount)
        var (year, month, day) = (start.year, start.month, start.day)
        var (hour, minute) = (minuteOfDay / 60, minuteOfDay % 60)
        var days: UInt64 = 0
        var daysAreFor = (year: 0, month: 0)

        // Each step moves to the next allowed value of one field, or, when there is none
        // left, carries into the next larger unit and starts that one from its beginning.
        while true {
            if months & (1 &<< month) == 0 {
                let laterMonths = months & (UInt64.max &<< (month + 1))
                if laterMonths == 0 {
                    year += 1
                    month = months.trailingZeroBitCount
                } else {
                    month = laterMonths.trailingZeroBitCount
                }
                (day, hour, minute) = (1, 0, 0)
            }
            guard year <= Self.lastYear else { return nil }
            if daysAreFor != (year, month) {
                days = allowedDays(year: year, month: month)
                daysAreFor = (year, month)
            }
            let laterDays = days & (UInt64.max &<< day)
            if laterDays == 0 {
                if month == 12 { (year, month) = (year + 1, 1) } else { month += 1 }
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            if laterDays.trailingZeroBitCount != day {
                (day, hour, minute) = (laterDays.trailingZeroBitCount, 0, 0)
            }
            let laterHours = hours & (UInt64.max &<< hour)
            if laterHours == 0 {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if laterHours.trailingZeroBitCount != hour {
                (hour, minute) = (laterHours.trailingZeroBitCount, 0)
            }
            let laterMinutes = minutes & (UInt64.max &<< minute)
            if laterMinutes == 0 {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            minute = laterMinutes.trailingZeroBitCount
            let dayCount = CivilDate(year: year, month: month, day: day).daysSinceEpoch
            return ((dayCount * 24 + hour) * 60 + minute) * 60
        }
    }

    /// Bit d is set when day d of the month matches both day fields (or either, see
    /// `daysMatchEither`).
    func allowedDays(year: Int, month: Int) -> UInt64 {
        let firstWeekday = CivilDate(year: year, month: month, day: 1).weekday
        // Rotate the weekday bits so that bit 0 is the 1st's weekday, then repeat them
        // every 7 bits to cover five weeks, and shift so that bit d is day d.
        let rotated = (daysOfWeek >> firstWeekday | daysOfWeek << (7 - firstWeekday)) & 0x7F
        let byWeekday = (rotated &* 0x1020_4081) << 1
        let byDay = daysMatchEither ? daysOfMonth | byWeekday : daysOfMonth & byWeekday
        return byDay & Self.monthDays(CivilDate.daysInMonth(year: year, month: month))
    }

    /// Bits 1...count.
    private static func monthDays(_ count: Int) -> UInt64 {
        (1 << (count + 1)) - 2
    }
}
