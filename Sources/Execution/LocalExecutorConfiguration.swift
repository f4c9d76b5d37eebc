import Foundation

/// How `LocalExecutor` runs children.
public struct LocalExecutorConfiguration: Sendable {
    /// Between SIGTERM to a job's process group and SIGKILL.
    public var gracePeriod: Duration
    /// Every child starts with this; a job's own environment is laid over it.
    public var baseEnvironment: [String: String]
    /// Where a job without a working directory of its own runs.
    public var workingDirectory: String
    /// A job's log is cut to its tail past this size (`LogCap`); nil for no limit.
    public var maxLogBytes: Int64?
    public static let defaultMaxLogBytes: Int64 = 64 << 20

    public init(
        gracePeriod: Duration = .seconds(5),
        baseEnvironment: [String: String] = LocalExecutorConfiguration.inheritedEnvironment(),
        workingDirectory: String = "/",
        maxLogBytes: Int64? = LocalExecutorConfiguration.defaultMaxLogBytes
    ) {
        self.gracePeriod = gracePeriod
        self.baseEnvironment = baseEnvironment
        self.workingDirectory = workingDirectory
        self.maxLogBytes = maxLogBytes
    }

    /// The daemon's own variables that a command reasonably expects (PATH, HOME, locale,
    /// zone, and pip's index and proxy settings for environment builds, as a unit's
    /// `Environment=` gives them), and no others: systemd's NOTIFY_SOCKET or LISTEN_FDS in a
    /// child would let it speak for the daemon. Sandboxes start from a clear environment anyway.
    public static func inheritedEnvironment() -> [String: String] {
        let own = ProcessInfo.processInfo.environment
        var environment = own.filter { Self.inherited.contains($0.key) }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return environment
    }

    private static let inherited: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_CERT", "PIP_TRUSTED_HOST",
        "PIP_CONFIG_FILE", "SSL_CERT_FILE", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
    ]
}
