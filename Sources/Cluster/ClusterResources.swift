/// What one job asks of a cluster node; each maps to an `sbatch` option.
public struct ClusterResources: Sendable, Equatable {
    /// `--cpus-per-task`.
    public var cpus: Int?
    /// `--mem`, rounded up to MiB.
    public var memoryBytes: Int64?
    /// `--gres=gpu:N` when above zero.
    public var gpus: Int

    public init(cpus: Int? = nil, memoryBytes: Int64? = nil, gpus: Int = 0) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.gpus = gpus
    }
}
