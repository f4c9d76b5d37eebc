/// Why a competition or submission request was refused. Nothing was changed when one is thrown.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidManifest, conflict, unknownCompetition, invalidBundle, bundleTooLarge, rateLimited, forbidden, unknownSubmission
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
