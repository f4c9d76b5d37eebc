/// The `@` shorthands Debian cron accepts in place of five fields.
enum CronMacro: String, CaseIterable, Sendable {
    case hourly, daily, midnight, weekly, monthly, yearly, annually

    var fields: String {
        switch self {
        case .hourly: "0 * * * *"
        case .daily, .midnight: "0 0 * * *"
        case .weekly: "0 0 * * 0"
        case .monthly: "0 0 1 * *"
        case .yearly, .annually: "0 0 1 1 *"
        }
    }

    static var spellings: String {
        allCases.map { "@\($0.rawValue)" }.joined(separator: ", ")
    }
}
