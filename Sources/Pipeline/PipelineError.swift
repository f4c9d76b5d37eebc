/// Why a competition or submission request was refused. Nothing was changed when one is thrown.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidManifest, conflict, unknownCompetition, invalidBundle, bundleTooLarge, rateLimited, forbidden, unknownSubmission
        /// The competition is not open: before its `opens_at`, or closed.
        case notOpen
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
