import Cluster
import ControlAPI
import Cron
import Execution
import Foundation
import Notifications
import Pipeline
import Scheduler
import StrictYAML

/// Everything the daemon can be told, with defaults that need no configuration at all.
public struct DaemonConfiguration: Sendable, Equatable {
    public var stateDirectory: String
    public var socketPath: String
    /// Permission bits of the socket file; the socket's group decides who may reach the daemon.
    public var socketMode: UInt16 = 0o660
    /// Group owning the socket file; left as the daemon's own group when it does not exist.
    public var socketGroup: String = "hekaton"
    /// Members of this group are hosts: they publish competitions and register datasets.
    public var adminGroup: String = "hekaton-admin"
    /// Largest request body accepted; larger requests get 413 and the connection is closed.
    public var maxRequestBodyBytes: Int = 8 << 20
    /// A connection that sends nothing for this long is closed.
    public var idleTimeoutSeconds: Int = 30
    /// A job's log is cut to its tail past this size.
    public var maxLogBytes: Int64 = LocalExecutorConfiguration.defaultMaxLogBytes
    public var logLevel: LogLevelName = .info
    /// Jobs running at once across all queues.
    public var maxConcurrentJobs: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Per-queue concurrency limits (`queues: {train: 1}`); other queues share the global limit.
    public var queueLimits: [String: Int] = [:]
    /// Finished jobs and their logs are deleted after this long.
    public var jobRetentionSeconds: Double = 30 * 86400
    /// Finished run directories and old dataset versions' data (`retention: {runs,
    /// dataset_versions}`); a competition's manifest may override it for itself.
    public var retention = RetentionPolicy()
    /// The Python SDK (`python/src`) mounted into every stage; found next to hekatond when unset.
    public var pythonSDK: String?
    /// Where jobs run unless a competition's manifest says otherwise per stage.
    public var executor: ExecutorKind = .local
    /// The cluster, for `executor: slurm` and for stages a manifest sends there.
    public var slurm = SlurmConfiguration()
    /// Whether a local stage may run only inside a resource group with its memory and
    /// process limits (`required`, root's default), or runs without one (`off`, the default
    /// of a daemon that is not root and so cannot make one).
    public var sandboxLimits: SandboxLimits = .required
    /// The state directory's disk use past which hosts are warned (an event), and past which
    /// new submissions are refused (`disk: {soft_limit, hard_limit}`); nil: no limit.
    public var diskSoftLimitBytes: Int64?
    public var diskHardLimitBytes: Int64?
    /// A TCP address that serves `GET /metrics` to a scraper (`metrics: {listen: 127.0.0.1:9464}`),
    /// read at start; nil: metrics only on the socket, for hosts.
    public var metricsListen: MetricsAddress?
    /// Where events go (`webhooks:`), read at start.
    public var webhooks: [Webhook] = []
    /// Where the configuration was read from, if anywhere (re-read on SIGHUP).
    public var configurationFile: String?

    public enum LogLevelName: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public enum SandboxLimits: String, Sendable, CaseIterable {
        case required, off
    }

    public init(stateDirectory: String, socketPath: String) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
    }

    /// The keys a configuration file may hold, in the order the README documents them.
    static let fileKeys = ["state_directory", "socket", "socket_mode", "socket_group", "admin_group",
                           "max_request_body_bytes", "idle_timeout_seconds", "max_log_bytes", "log_level", "max_concurrent_jobs", "queues", "job_retention", "retention", "python_sdk",
                           "executor", "slurm", "sandbox_limits", "disk", "metrics", "webhooks"]

    /// Resolves the configuration: command-line flags win over the file, the file over
    /// systemd's environment, and that over the built-in defaults.
    public static func resolve(stateDirectory: String?, socketPath: String?, configurationFile: String?,
                               environment: [String: String], euid: UInt32) throws(YAMLError) -> DaemonConfiguration {
        let defaults = HekatonPaths.daemonDefaults(environment: environment, euid: euid)
        var configuration = DaemonConfiguration(stateDirectory: defaults.stateDirectory, socketPath: defaults.socketPath)
        configuration.sandboxLimits = euid == 0 ? .required : .off
        if let configurationFile {
            try configuration.apply(file: configurationFile)
        }
        if let stateDirectory { configuration.stateDirectory = stateDirectory }
        if let socketPath { configuration.socketPath = socketPath }
        // Children (sandboxes among them) run elsewhere than the daemon's working directory.
        configuration.stateDirectory = Self.absolute(configuration.stateDirectory)
        configuration.socketPath = Self.absolute(configuration.socketPath)
        if let sdk = configuration.pythonSDK { configuration.pythonSDK = Self.absolute(sdk) }
        return configuration
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Reads a YAML configuration file over this configuration.
    public mutating func apply(file: String) throws(YAMLError) {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw YAMLError(.syntax, file: file, line: nil, field: nil, message: "cannot read the configuration file (\(error.localizedDescription))",
                            suggestion: "check the path given to --config")
        }
        try apply(yaml: text, file: file)
        configurationFile = file
    }

    public mutating func apply(yaml text: String, file: String) throws(YAMLError) {
        let root = try YAMLMapping.parse(text, file: file)
        try root.allowKeys(Self.fileKeys)
        if let value = try root.string("state_directory") { stateDirectory = value }
        if let value = try root.string("socket") { socketPath = value }
        if let value = root["socket_mode"] {
            let text = try value.string()
            guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
                throw value.invalid("'\(text)' is not an octal permission mode", suggestion: "write it like 0660")
            }
            socketMode = mode
        }
        if let value = try root.string("socket_group") { socketGroup = value }
        if let value = try root.string("admin_group") { adminGroup = value }
        if let value = root["max_request_body_bytes"] { maxRequestBodyBytes = try value.int(in: 1024...(1 << 30)) }
        if let value = root["idle_timeout_seconds"] { idleTimeoutSeconds = try value.int(in: 1...3600) }
        if let value = root["max_log_bytes"] { maxLogBytes = Int64(try value.int(in: (64 << 10)...(1 << 40))) }
        if let value = root["max_concurrent_jobs"] {
            let count = try value.int()
            guard count >= 1 else { throw value.invalid("must be at least 1") }
            maxConcurrentJobs = count
        }
        if let queues = try root.mapping("queues") {
            var limits: [String: Int] = [:]
            for name in queues.keys {
                let value = try queues.required(name)
                let limit = try value.int()
                guard limit >= 1 else { throw value.invalid("a queue's concurrency limit must be at least 1") }
                limits[name] = limit
            }
            queueLimits = limits
        }
        if let value = root["job_retention"] {
            let text = try value.string()
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw value.invalid("'\(text)' is not a duration", suggestion: "write it like 7d or 12h")
            }
            jobRetentionSeconds = seconds
        }
        if let map = try root.mapping("retention") {
            try map.allowKeys(["runs", "dataset_versions"])
            if let value = map["runs"] { retention.runsSeconds = try RetentionPolicy.runs(value) }
            if let value = map["dataset_versions"] { retention.datasetVersions = try RetentionPolicy.datasetVersions(value) }
        }
        if let value = try root.string("python_sdk") { pythonSDK = value }
        if let value = root["executor"] {
            let text = try value.string()
            guard let kind = ExecutorKind(rawValue: text) else {
                throw value.invalid("unknown executor '\(text)'",
                                    suggestion: "use one of \(ExecutorKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            executor = kind
        }
        if let map = try root.mapping("slurm") { slurm = try Self.slurm(map) }
        if let value = root["webhooks"] { webhooks = try Webhook.parseList(value, origin: .configuration) }
        if let map = try root.mapping("metrics") {
            try map.allowKeys(["listen"])
            if let value = map["listen"] {
                let text = try value.string()
                guard let address = MetricsAddress(text) else {
                    throw value.invalid("'\(text.prefix(100))' is not an address to listen on",
                                        suggestion: "write an IP address and a port, like 127.0.0.1:9464 or [::1]:9464; bind loopback unless a scraper elsewhere needs it")
                }
                metricsListen = address
            }
        }
        if let map = try root.mapping("disk") {
            try map.allowKeys(["soft_limit", "hard_limit"])
            func size(_ key: String) throws(YAMLError) -> Int64? {
                guard let value = map[key] else { return nil }
                let text = try value.string()
                guard let bytes = Quantity.bytes(text), bytes >= 1 << 20 || text.hasSuffix("KiB") && bytes > 0 else {
                    throw value.invalid("'\(text)' is not a size", suggestion: "write it like 500GiB or 2TiB")
                }
                return bytes
            }
            diskSoftLimitBytes = try size("soft_limit")
            diskHardLimitBytes = try size("hard_limit")
            if let soft = diskSoftLimitBytes, let hard = diskHardLimitBytes, soft > hard {
                throw map["soft_limit"]!.invalid("soft_limit is above hard_limit", suggestion: "warn (soft) before refusing (hard): make soft_limit the smaller")
            }
        }
        if let value = root["sandbox_limits"] {
            let text = try value.string()
            guard let mode = SandboxLimits(rawValue: text) else {
                throw value.invalid("unknown sandbox_limits '\(text)'",
                                    suggestion: "use required (stages run only within their memory and process limits) or off")
            }
            sandboxLimits = mode
        }
        if let value = root["log_level"] {
            let text = try value.string()
            guard let level = LogLevelName(rawValue: text.lowercased()) else {
                throw value.invalid("unknown log level '\(text)'",
                                    suggestion: "use one of \(LogLevelName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            logLevel = level
        }
    }

    /// `webhooks:`, a list of `{name, url, format, secret_file, kinds, competitions}`.
    static let slurmKeys = ["partition", "account", "poll_interval", "max_poll_interval", "controller_backoff", "cancel_deadline",
                            "extra_args", "bin_directory", "max_jobs"]

    /// The `slurm:` mapping; every key optional.
    static func slurm(_ map: YAMLMapping) throws(YAMLError) -> SlurmConfiguration {
        try map.allowKeys(slurmKeys)
        var slurm = SlurmConfiguration(partition: try map.string("partition"), account: try map.string("account"),
                                       binDirectory: try map.string("bin_directory"))
        func duration(_ key: String) throws(YAMLError) -> Duration? {
            guard let value = map[key] else { return nil }
            let text = try value.string()
            guard let seconds = DurationText.seconds(text), seconds >= 0.01 else {
                throw value.invalid("'\(text)' is not a duration", suggestion: "write it like 250ms, 2s or 1m")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        if let value = try duration("poll_interval") { slurm.pollInterval = value }
        if let value = try duration("max_poll_interval") { slurm.maxPollInterval = value }
        if let value = try duration("controller_backoff") { slurm.maxControllerBackoff = value }
        if let value = try duration("cancel_deadline") { slurm.cancelDeadline = value }
        if slurm.maxPollInterval < slurm.pollInterval { slurm.maxPollInterval = slurm.pollInterval }
        if let value = map["extra_args"] { slurm.extraArguments = try value.stringList() }
        if let value = map["max_jobs"] {
            let count = try value.int()
            guard count >= 1 else { throw value.invalid("must be at least 1") }
            slurm.maxJobs = count
        }
        return slurm
    }
}

/// Where the metrics listener binds: an IP address (not a name, so that no lookup decides
/// which interface is exposed) and a port.
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            guard text[close...].hasPrefix("]:") else { return nil }
            port = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }) else { return nil }
        }
        guard port.count <= 5, port.allSatisfy(\.isNumber), let number = Int(port), (1...65535).contains(number) else { return nil }
        self.host = String(host)
        self.port = number
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
