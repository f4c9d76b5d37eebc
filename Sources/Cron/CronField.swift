/// One of the five fields of a cron expression, with the values it accepts.
enum CronField: Int, CaseIterable, Sendable {
    case minute, hour, dayOfMonth, month, dayOfWeek

    /// The name used in error messages and in `CronParseError.field`.
    var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// Day of week accepts 7 as a second spelling of Sunday, as Vixie and Debian cron do.
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// Three-letter names, lowercased, for the fields that have them; the first name
    /// stands for `namesStart`.
    var names: [String] {
        switch self {
        case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        default: []
        }
    }

    var namesStart: Int { self == .month ? 1 : 0 }

    /// What a value in this field may look like, for error messages.
    var expectedValues: String {
        switch self {
        case .month: "1-12 or jan..dec"
        case .dayOfWeek: "0-7 or sun..sat"
        default: "\(bounds.lowerBound)-\(bounds.upperBound)"
        }
    }
}
