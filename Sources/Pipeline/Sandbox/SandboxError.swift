/// Why a sandbox could not be set up as asked. Nothing ran in it.
public struct SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A resource group could not be made or its limits written.
        case controlGroup
        /// The instance's identity or uid range is missing, taken or unreadable.
        case instance
        /// The instance's sandbox uids are used up.
        case uidsExhausted
        /// A directory the sandboxes must reach is closed to their uids.
        case unreachable
        /// An image root to run on is missing or holds no system.
        case image
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
