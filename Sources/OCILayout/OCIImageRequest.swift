import Foundation

/// What to build: a base image layout, a directory to add as one layer, and what to change in
/// the image's configuration. Every field that reaches the output is here, `created`
/// included, so the same request always gives the same digests.
public struct OCIImageRequest: Sendable {
    /// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/...`).
    public var baseLayout: String
    /// The base manifest's `org.opencontainers.image.ref.name`; nil when the base index holds exactly one.
    public var baseReference: String?
    /// The directory whose tree becomes the new layer. Its `.hekatonignore` and the built-in
    /// excludes of submission bundles (`.git/`, `__pycache__/`, ...) apply, as for a bundle.
    public var content: String
    /// Where the content lands in the image, relative to its root: "artifact" gives `/artifact/...`,
    /// "" the root itself.
    public var prefix: String
    /// The layout directory to write; created, and must not exist or be empty.
    public var output: String
    /// The new manifest's `org.opencontainers.image.ref.name` in the output index.
    public var reference: String
    /// Replaces the base's entrypoint; the base's `Cmd` is dropped with it unless `cmd` is given,
    /// as Docker does, since a base's arguments were meant for the base's entrypoint.
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var workingDir: String?
    /// `NAME=value` entries; each replaces the base's entry of the same name or is appended.
    public var environment: [String]
    /// `PORT/tcp` or `PORT/udp` (a bare `PORT` means tcp): the config's `ExposedPorts`, added to
    /// the base's. Documentation for whoever runs the image (`podman run -P`, a Deployment's
    /// `containerPort`); nothing is opened by it.
    public var exposedPorts: [String]
    /// Merged over the base config's labels, and written as manifest annotations too.
    public var labels: [String: String]
    /// The config's `created` and the new history entry; file times in the layer are fixed (zero)
    /// whatever this says.
    public var created: Date

    public init(baseLayout: String, baseReference: String? = nil, content: String, prefix: String, output: String,
                reference: String, entrypoint: [String]? = nil, cmd: [String]? = nil, workingDir: String? = nil,
                environment: [String] = [], exposedPorts: [String] = [], labels: [String: String] = [:], created: Date) {
        self.baseLayout = baseLayout
        self.baseReference = baseReference
        self.content = content
        self.prefix = prefix
        self.output = output
        self.reference = reference
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.workingDir = workingDir
        self.environment = environment
        self.exposedPorts = exposedPorts
        self.labels = labels
        self.created = created
    }
}
