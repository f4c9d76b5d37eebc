/// Why an image could not be had or a Dockerfile is refused, in words for the person who can
/// fix it: the host (a missing base) or the participant (a Dockerfile line).
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The base image is not in `STATE/bases` or is not a readable OCI layout: the host's to fix.
        case missingBase
        /// The submission's Dockerfile is refused: the participant's to fix.
        case dockerfile
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
