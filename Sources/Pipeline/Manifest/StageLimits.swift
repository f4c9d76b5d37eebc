/// Resource limits of one pipeline stage.
public struct StageLimits: Sendable, Equatable, Codable {
    public var wallTimeSeconds: Double
    public var memoryBytes: Int64
    public var processes: Int
    public var cpus: Int
    public var gpus: Int
    /// What the stage may write to its output directories (the model, predictions, an
    /// artifact); nil in manifests stored before the limit existed, which get the default.
    public var outputBytes: Int64?

    public var effectiveOutputBytes: Int64 { outputBytes ?? Self.defaultOutputBytes }
    public static let defaultOutputBytes: Int64 = 4 << 30
    /// Files in the output directories, whatever their size: a stage cannot fill the disk's inodes either.
    public static let maxOutputFiles = 100_000

    public static let defaults = StageLimits(wallTimeSeconds: 600, memoryBytes: 2 << 30, processes: 64, cpus: 1, gpus: 0)

    // What a manifest may ask for: wide enough for any real stage, narrow enough that every
    // value survives conversion to a Duration, a cgroup file and an sbatch option.
    public static let wallTimeRange: ClosedRange<Double> = 1...(7 * 86400)
    public static let memoryRange: ClosedRange<Int64> = (16 << 20)...(4 << 40)
    public static let processesRange: ClosedRange<Int> = 1...100_000
    public static let cpusRange: ClosedRange<Int> = 1...1024
    public static let gpusRange: ClosedRange<Int> = 0...64
    public static let outputRange: ClosedRange<Int64> = (1 << 20)...(1 << 40)
}

/// Limits per stage, each falling back to the manifest's `default`.
public struct StageLimitsTable: Sendable, Equatable, Codable {
    public var byStage: [String: StageLimits]
    public var fallback: StageLimits

    public func limits(for stage: String) -> StageLimits { byStage[stage] ?? fallback }
}
