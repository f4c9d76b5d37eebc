/// What Slurm says about one job: `scontrol -o show job ID` (or `sacct`) parsed.
public struct SlurmJobStatus: Sendable, Equatable {
    /// PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, ...
    public var state: String
    /// Why it waits or ended (`Priority`, `Resources`, `NonZeroExitCode`), when Slurm says.
    public var reason: String?
    public var exitCode: Int32
    public var signal: Int32
    public var nodes: String?

    public init(state: String, reason: String? = nil, exitCode: Int32 = 0, signal: Int32 = 0, nodes: String? = nil) {
        self.state = state
        self.reason = reason
        self.exitCode = exitCode
        self.signal = signal
        self.nodes = nodes
    }

    static let endStates: Set<String> = [
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
        "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT",
    ]

    public var hasEnded: Bool { Self.endStates.contains(state) }

    /// Reasons a pending job will never start as asked: sbatch accepted it (the cluster does
    /// not enforce partition limits at submission) but no change of load can help.
    static let hopelessReasons: Set<String> = [
        "PartitionTimeLimit", "PartitionNodeLimit", "BadConstraints", "InvalidAccount", "InvalidQOS", "AccountNotAllowed",
        "QOSNotAllowed", "PartitionConfig", "QOSMaxWallDurationPerJobLimit", "QOSMaxCpuPerJobLimit", "QOSMaxMemoryPerJob",
        "QOSMaxGRESPerJob", "QOSMaxNodePerJobLimit",
    ]

    /// Pending for a reason that waiting cannot cure.
    public var cannotStart: Bool { state == "PENDING" && reason.map(Self.hopelessReasons.contains) == true }

    /// The state with its reason, as `status` and `job show` print it: `PENDING (Resources)`.
    public var summary: String {
        guard let reason, reason != "None" else { return state }
        return "\(state) (\(reason))"
    }

    /// One line of `scontrol -o show job`: space-separated `Key=Value` pairs.
    public static func parse(scontrol line: String) -> SlurmJobStatus? {
        var fields: [String: String] = [:]
        for word in line.split(whereSeparator: \.isWhitespace) {
            guard let equals = word.firstIndex(of: "=") else { continue }
            let key = String(word[..<equals])
            if fields[key] == nil { fields[key] = String(word[word.index(after: equals)...]) }
        }
        guard let state = fields["JobState"] else { return nil }
        let (exitCode, signal) = exitPair(fields["ExitCode"] ?? "0:0")
        let nodes = fields["NodeList"].flatMap { $0 == "(null)" || $0.isEmpty ? nil : $0 }
        return SlurmJobStatus(state: state, reason: fields["Reason"], exitCode: exitCode, signal: signal, nodes: nodes)
    }

    /// The allocation's line of `sacct -n -P -X -o State,ExitCode,NodeList`: `CANCELLED by 0|0:15|node1`.
    public static func parse(sacct line: String) -> SlurmJobStatus? {
        let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let state = parts[0].split(separator: " ").first.map(String.init), !state.isEmpty else { return nil }
        let (exitCode, signal) = exitPair(parts[1])
        let reason = parts[0].contains(" ") ? String(parts[0].drop { $0 != " " }.dropFirst()) : nil
        return SlurmJobStatus(state: state, reason: reason, exitCode: exitCode, signal: signal, nodes: parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil)
    }

    /// `code:signal`, as Slurm prints exit codes.
    static func exitPair(_ text: String) -> (Int32, Int32) {
        let parts = text.split(separator: ":")
        return (parts.first.flatMap { Int32($0) } ?? 0, parts.count > 1 ? Int32(parts[1]) ?? 0 : 0)
    }
}
