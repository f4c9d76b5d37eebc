import Foundation
@testable import HekatonDaemon
import StrictYAML
import Testing

@Suite("Daemon configuration")
struct DaemonConfigurationTests {
    let base = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")

    @Test("Defaults need no file at all")
    func defaults() throws {
        let configuration = try DaemonConfiguration.resolve(stateDirectory: nil, socketPath: nil, configurationFile: nil,
                                                            environment: ["HOME": "/home/ada", "XDG_RUNTIME_DIR": "/run/user/1000"], euid: 1000)
        #expect(configuration.stateDirectory == "/home/ada/.local/state/hekaton")
        #expect(configuration.socketPath == "/run/user/1000/hekaton/hekatond.sock")
        #expect(configuration.socketMode == 0o660)
        #expect(configuration.socketGroup == "hekaton")
        #expect(configuration.adminGroup == "hekaton-admin")
        #expect(configuration.sandboxLimits == .off, "not root: no control groups to make")
        let root = try DaemonConfiguration.resolve(stateDirectory: "/s", socketPath: nil, configurationFile: nil, environment: [:], euid: 0)
        #expect(root.sandboxLimits == .required, "root: stages run only within their limits")
    }

    @Test("sandbox_limits: off, unquoted as people write it, or required")
    func sandboxLimits() throws {
        var configuration = base
        try configuration.apply(yaml: "sandbox_limits: off\n", file: "h.yaml")
        #expect(configuration.sandboxLimits == .off)
        try configuration.apply(yaml: "sandbox_limits: required\n", file: "h.yaml")
        #expect(configuration.sandboxLimits == .required)
    }

    @Test("Flags win over systemd's directories")
    func precedence() throws {
        let environment = ["STATE_DIRECTORY": "/var/lib/hekaton", "RUNTIME_DIRECTORY": "/run/hekaton"]
        let systemd = try DaemonConfiguration.resolve(stateDirectory: nil, socketPath: nil, configurationFile: nil, environment: environment, euid: 0)
        #expect(systemd.stateDirectory == "/var/lib/hekaton")
        #expect(systemd.socketPath == "/run/hekaton/hekatond.sock")
        let flags = try DaemonConfiguration.resolve(stateDirectory: "/tmp/s", socketPath: "/tmp/x.sock", configurationFile: nil, environment: environment, euid: 0)
        #expect(flags.stateDirectory == "/tmp/s")
        #expect(flags.socketPath == "/tmp/x.sock")
    }

    @Test("Relative paths become absolute, since children run in other directories")
    func relativePaths() throws {
        let configuration = try DaemonConfiguration.resolve(stateDirectory: "state", socketPath: "./d.sock", configurationFile: nil,
                                                            environment: [:], euid: 1000)
        let cwd = FileManager.default.currentDirectoryPath
        #expect(configuration.stateDirectory == cwd + "/state")
        #expect(configuration.socketPath == cwd + "/d.sock")
    }

    @Test("Every known key is read")
    func knownKeys() throws {
        var configuration = base
        try configuration.apply(yaml: """
            socket_mode: "0600"
            socket_group: staff
            admin_group: wheel
            max_request_body_bytes: 2048
            max_log_bytes: 1048576
            idle_timeout_seconds: 5
            log_level: debug
            """, file: "h.yaml")
        #expect(configuration.socketMode == 0o600)
        #expect(configuration.socketGroup == "staff")
        #expect(configuration.adminGroup == "wheel")
        #expect(configuration.maxRequestBodyBytes == 2048)
        #expect(configuration.maxLogBytes == 1 << 20)
        #expect(configuration.idleTimeoutSeconds == 5)
        #expect(configuration.logLevel == .debug)
    }

    @Test("The executor and the cluster it hands jobs to")
    func slurmKeys() throws {
        var configuration = base
        #expect(configuration.executor == .local)
        try configuration.apply(yaml: """
            executor: slurm
            slurm:
              partition: gpu
              account: ml
              poll_interval: 100ms
              max_poll_interval: 3s
              extra_args: [--qos=high]
              bin_directory: /opt/slurm/bin
              max_jobs: 40
            """, file: "h.yaml")
        #expect(configuration.executor == .slurm)
        #expect(configuration.slurm.partition == "gpu")
        #expect(configuration.slurm.account == "ml")
        #expect(configuration.slurm.pollInterval == .milliseconds(100))
        #expect(configuration.slurm.maxPollInterval == .seconds(3))
        #expect(configuration.slurm.extraArguments == ["--qos=high"])
        #expect(configuration.slurm.binDirectory == "/opt/slurm/bin")
        #expect(configuration.slurm.maxJobs == 40)
        #expect(base.slurm.maxJobs == 256, "generous by default: cluster jobs take no local slot")
    }

    @Test("Bad files are rejected with file, line, field and a suggestion", arguments: [
        ("log_level: info\nsocket_mod: \"0600\"\n", 2, "socket_mod", "did you mean 'socket_mode'?"),
        ("socket_mode: \"0999\"\n", 1, "socket_mode", "write it like 0660"),
        ("idle_timeout_seconds: soon\n", 1, "idle_timeout_seconds", nil),
        ("log_level: loud\n", 1, "log_level", "use one of"),
        ("max_request_body_bytes: 10\n", 1, "max_request_body_bytes", "from 1024 to"),
        ("idle_timeout_seconds: 1e12\n", 1, "idle_timeout_seconds", nil),
        ("idle_timeout_seconds: 100000\n", 1, "idle_timeout_seconds", "from 1 to 3600"),
        ("max_log_bytes: 10\n", 1, "max_log_bytes", "from 65536 to"),
        ("admin_group: [a\n", 2, nil, nil),
        ("executor: kubernetes\n", 1, "executor", "use one of local, slurm"),
        ("slurm:\n  partiton: gpu\n", 2, "slurm.partiton", "did you mean 'partition'?"),
        ("slurm:\n  poll_interval: often\n", 2, "slurm.poll_interval", "like 250ms"),
        ("slurm:\n  max_jobs: 0\n", 2, "slurm.max_jobs", nil),
        ("sandbox_limits: maybe\n", 1, "sandbox_limits", "use required"),
    ] as [(String, Int, String?, String?)])
    func rejected(text: String, line: Int, field: String?, suggestion: String?) {
        var configuration = base
        do {
            try configuration.apply(yaml: text, file: "/etc/hekaton/hekatond.yaml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.file == "/etc/hekaton/hekatond.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.field == field)
            if let suggestion { #expect(error.suggestion?.contains(suggestion) == true, "\(error)") }
            #expect(configuration == base, "nothing changes on a rejected file")
        }
    }
}

@Suite("Retention in the configuration")
struct RetentionConfigurationTests {
    @Test("retention: runs and dataset_versions, a week and every version by default; out of range or unknown, refused by name")
    func retention() throws {
        var configuration = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        #expect(configuration.retention.runsSeconds == 7 * 86400 && configuration.retention.datasetVersions == 0)
        try configuration.apply(yaml: "retention: {runs: 36h, dataset_versions: 30}\n", file: "hekatond.yaml")
        #expect(configuration.retention.runsSeconds == 36 * 3600 && configuration.retention.datasetVersions == 30)
        for (text, field, message) in [
            ("retention: {runs: 0}\n", "retention.runs", "from 1s to 3650d"),
            ("retention: {runs: 11y}\n", "retention.runs", "like 7d or 12h"),
            ("retention: {dataset_versions: -3}\n", "retention.dataset_versions", "out of range 0...10000"),
            ("retention: {dataset_versions: all}\n", "retention.dataset_versions", "whole number"),
            ("retention: {run: 7d}\n", "retention.run", "did you mean 'runs'?"),
        ] {
            var other = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
            #expect { try other.apply(yaml: text, file: "hekatond.yaml") } throws: { error in
                guard let error = error as? YAMLError else { return false }
                return error.field == field && error.description.contains(message)
            }
        }
    }
}

@Suite("The disk limits in the configuration")
struct DiskLimitConfigurationTests {
    @Test("Sizes are read with their units; a soft limit above the hard one, or no size, is refused")
    func limits() throws {
        var configuration = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        try configuration.apply(yaml: "disk: {soft_limit: 400GiB, hard_limit: 1TiB}\n", file: "hekatond.yaml")
        #expect(configuration.diskSoftLimitBytes == 400 << 30 && configuration.diskHardLimitBytes == 1 << 40)
        for (text, message) in [("disk: {soft_limit: 2TiB, hard_limit: 1TiB}\n", "soft_limit is above hard_limit"),
                                ("disk: {hard_limit: lots}\n", "'lots' is not a size"), ("disk: {limit: 1TiB}\n", "limit")] {
            var other = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
            #expect { try other.apply(yaml: text, file: "hekatond.yaml") } throws: { "\($0)".contains(message) }
        }
    }
}

@Suite("Webhooks in the configuration")
struct WebhookConfigurationTests {
    @Test("A webhook is read with its format, secret file and filters; a bad one is refused, naming what is wrong")
    func webhooks() throws {
        var configuration = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        try configuration.apply(yaml: """
            webhooks:
              - {name: ops, url: "https://hooks.example.com/x", secret_file: /etc/hekaton/ops.secret, kinds: [job.dead, round.decided], competitions: [pococha]}
              - {name: chat, url: "http://127.0.0.1:8080/hook", format: slack}
            """, file: "hekatond.yaml")
        #expect(configuration.webhooks.map(\.name) == ["ops", "chat"])
        #expect(configuration.webhooks[0].kinds == [.jobDead, .roundDecided] && configuration.webhooks[0].competitions == ["pococha"])
        #expect(configuration.webhooks[1].format == .slack && configuration.webhooks[1].kinds == nil)
        for (text, message) in [
            ("webhooks:\n  - {name: ops, url: \"ftp://x/y\"}\n", "is not an http or https URL"),
            ("webhooks:\n  - {name: ops, url: \"http://x/y\", kinds: [job.gone]}\n", "unknown event kind 'job.gone'"),
            ("webhooks:\n  - {name: ops, url: \"http://x/y\", format: xml}\n", "unknown webhook format 'xml'"),
            ("webhooks:\n  - {name: ops, url: \"http://x/y\"}\n  - {name: ops, url: \"http://x/z\"}\n", "a second webhook named 'ops'"),
            ("webhooks:\n  - {name: Ops!, url: \"http://x/y\"}\n", "is not a valid webhook name"),
            ("webhooks:\n  - {name: ops, url: \"http://x/y\", retries: 3}\n", "retries"),
        ] {
            var other = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
            #expect { try other.apply(yaml: text, file: "hekatond.yaml") } throws: { "\($0)".contains(message) }
        }
    }
}

@Suite("The metrics listener in the configuration")
struct MetricsConfigurationTests {
    @Test("metrics.listen takes an IPv4 or bracketed IPv6 address and a port; names, ranges and shapes out of line are refused")
    func listen() throws {
        var configuration = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        #expect(configuration.metricsListen == nil, "off by default: metrics only on the socket")
        try configuration.apply(yaml: "metrics: {listen: 127.0.0.1:9464}\n", file: "hekatond.yaml")
        #expect(configuration.metricsListen == MetricsAddress("127.0.0.1:9464"))
        #expect(configuration.metricsListen?.host == "127.0.0.1" && configuration.metricsListen?.port == 9464)
        try configuration.apply(yaml: "metrics: {listen: \"[::1]:9100\"}\n", file: "hekatond.yaml")
        #expect(configuration.metricsListen?.host == "::1" && configuration.metricsListen?.description == "[::1]:9100")
        for text in ["localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "256.0.0.1:80", "1.2.3:80", "[::1]9100",
                     "127.0.0.1:-1", "127.0.0.1:99999999999999999999", ":9464", "[::1]:", "[zz]:80"] {
            var other = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
            #expect(throws: (any Error).self, "\(text)") { try other.apply(yaml: "metrics: {listen: \"\(text)\"}\n", file: "hekatond.yaml") }
            #expect(other.metricsListen == nil)
        }
        var other = DaemonConfiguration(stateDirectory: "/s", socketPath: "/s.sock")
        #expect { try other.apply(yaml: "metrics: {port: 9464}\n", file: "hekatond.yaml") } throws: { "\($0)".contains("port") }
        #expect { try other.apply(yaml: "metrics: {listen: localhost:9464}\n", file: "hekatond.yaml") } throws: {
            "\($0)".contains("is not an address to listen on") && "\($0)".contains("127.0.0.1:9464")
        }
    }
}
