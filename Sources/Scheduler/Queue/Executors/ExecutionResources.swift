/// What one attempt asks of the machine that runs it. An executor that places work (a
/// cluster's `sbatch`) passes these on; one that runs where it is told ignores them.
public struct ExecutionResources: Sendable, Equatable {
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
