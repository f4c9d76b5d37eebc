/// Where and how the daemon hands jobs to Slurm (`slurm:` in the daemon's configuration).
public struct SlurmConfiguration: Sendable, Equatable {
    /// `--partition`; Slurm's default partition when nil.
    public var partition: String?
    /// `--account`; the user's default account when nil.
    public var account: String?
    /// The first pause between two looks at a job; it doubles up to `maxPollInterval`.
    public var pollInterval: Duration = .milliseconds(250)
    public var maxPollInterval: Duration = .seconds(2)
    /// Longest pause between two tries while the controller cannot be reached.
    public var maxControllerBackoff: Duration = .seconds(30)
    /// How long a cancel keeps trying `scancel` while the controller cannot be reached.
    public var cancelDeadline: Duration = .seconds(120)
    /// Added to every `sbatch` (`--qos=...`, `--constraint=...`).
    public var extraArguments: [String] = []
    /// Where `sbatch`, `scontrol`, `scancel` and `sacct` are; found through PATH when nil.
    public var binDirectory: String?
    /// Jobs on the cluster at once. They take none of the daemon host's slots
    /// (`max_concurrent_jobs`); Slurm queues what its nodes cannot take yet.
    public var maxJobs = 256

    public init(partition: String? = nil, account: String? = nil, extraArguments: [String] = [], binDirectory: String? = nil) {
        self.partition = partition
        self.account = account
        self.extraArguments = extraArguments
        self.binDirectory = binDirectory
    }

    func tool(_ name: String) -> String {
        binDirectory.map { $0 + "/" + name } ?? name
    }
}
