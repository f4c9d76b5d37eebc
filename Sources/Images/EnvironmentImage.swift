/// A built environment: the image a submission's stages run in, and what it was made from.
public struct EnvironmentImage: Codable, Sendable, Equatable {
    /// `sha256:…` of the build's inputs (base, Dockerfile, context); a submission's
    /// `environmentDigest` in image mode, and the name under which the image is reused.
    public var key: String
    /// `sha256:…` of the image manifest: what lineage shows and what the artifact image builds on.
    public var manifestDigest: String
    /// The base image's name (`STATE/bases/NAME`) and its manifest digest at build time.
    public var base: String
    public var baseDigest: String
    /// The image config's `Env` (`NAME=value`) and `WorkingDir`.
    public var environment: [String]
    public var workingDir: String?
    /// Built from the submission's own Dockerfile rather than its requirements.txt.
    public var fromDockerfile: Bool

    public init(key: String, manifestDigest: String, base: String, baseDigest: String, environment: [String],
                workingDir: String?, fromDockerfile: Bool) {
        self.key = key
        self.manifestDigest = manifestDigest
        self.base = base
        self.baseDigest = baseDigest
        self.environment = environment
        self.workingDir = workingDir
        self.fromDockerfile = fromDockerfile
    }
}
