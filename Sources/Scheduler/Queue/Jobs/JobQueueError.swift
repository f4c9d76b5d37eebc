/// Why the queue refused a request. Nothing was changed when one is thrown.
public struct JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No command, or an empty program name.
        case emptyCommand
        /// A field out of range: attempts below 1, a timeout that is not positive, an empty queue name.
        case invalidSpec
        /// A job listed among its own dependencies.
        case selfDependency
        /// A dependency on a job that does not exist.
        case unknownDependency
        /// No job with that id.
        case unknownJob
        /// The job already ended, so it cannot be cancelled.
        case alreadyFinished
        /// Only dead, cancelled and upstream-failed jobs can be retried.
        case notRetryable
        /// Another job holding the same unique key may still run.
        case uniqueKeyTaken
    }

    public let code: Code
    public let message: String

    public var description: String { message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
