/// Why a schedule could not be defined or changed. Nothing was changed when one is thrown.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidName, invalidCron, invalidTimeZone, emptyCommand, invalidPolicy, duplicate, unknown
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
