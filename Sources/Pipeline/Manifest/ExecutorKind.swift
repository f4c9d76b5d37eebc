/// Where a job runs: on this machine, or handed to the Slurm cluster. Chosen by the
/// daemon's `executor:` and, per stage, by a manifest's `executors:`.
public enum ExecutorKind: String, Sendable, Codable, CaseIterable {
    case local
    case slurm
}
