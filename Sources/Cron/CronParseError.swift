/// Why a cron expression (or a schedule's time zone) was rejected, with enough detail
/// to fix it: the field, the 1-based column in the text as given, and a message that
/// says what was expected.
public struct CronParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not five fields, or a macro followed by more text.
        case fieldCount
        /// A value that is not a number (or name) at all, or an empty list item.
        case invalidValue
        /// A number outside the field's range, such as hour 24.
        case outOfRange
        /// A step that is missing, not a number, zero or larger than the field's range.
        case invalidStep
        /// A range that is incomplete or goes backwards, such as `5-` or `fri-mon`.
        case invalidRange
        /// A name the field does not know, such as `mnd`, or an unknown time zone.
        case unknownName
        /// An `@` macro other than the supported ones; `@reboot` included.
        case unknownMacro
        /// A day of month that none of the chosen months has, such as `0 0 30 2 *`.
        case neverFires
        /// Nothing but whitespace.
        case empty
    }

    public let code: Code
    /// "minute", "hour", "day-of-month", "month" or "day-of-week"; nil when the error
    /// is not about one field.
    public let field: String?
    /// 1-based character column in the source text.
    public let position: Int?
    public let message: String

    public var description: String { message }

    init(_ code: Code, field: CronField? = nil, position: Int? = nil, _ detail: String) {
        self.code = code
        self.field = field?.name
        self.position = position
        self.message = switch (field, position) {
        case let (field?, position?): "\(field.name) field at column \(position): \(detail)"
        case let (field?, nil): "\(field.name) field: \(detail)"
        case let (nil, position?): "column \(position): \(detail)"
        case (nil, nil): detail
        }
    }
}
