/// What a sandboxed step may see and do: its inputs read-only, its outputs writable, a
/// read-only view of the system, no network, and limits on time, memory and processes.
public struct SandboxSpec: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        public var source: String
        public var target: String
        public var writable: Bool

        public init(source: String, target: String, writable: Bool = false) {
            self.source = source
            self.target = target
            self.writable = writable
        }
    }

    public var mounts: [Mount]
    /// Host directories shown read-only at the same path (the system, an interpreter); not
    /// used with an `image`.
    public var systemPaths: [String]
    /// An image's root filesystem to run on instead of the host's system.
    public var image: ImageSystem?
    public var environment: [String: String]
    public var workingDirectory: String
    /// Unprivileged uid and gid the step runs as, outside the sandbox's user namespace too.
    public var uid: UInt32?
    public var network: Bool
    public var limits: StageLimits

    public init(mounts: [Mount], systemPaths: [String] = SandboxSpec.defaultSystemPaths, environment: [String: String],
                workingDirectory: String, uid: UInt32?, network: Bool = false, limits: StageLimits, image: ImageSystem? = nil) {
        self.mounts = mounts
        self.image = image
        self.systemPaths = systemPaths
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.uid = uid
        self.network = network
        self.limits = limits
    }

    /// Debian's merged /usr plus /etc (read-only; root-only files stay unreadable to the
    /// step's unprivileged uid).
    public static let defaultSystemPaths = ["/usr", "/etc"]
}
