/// Resource limits of one pipeline stage.
public struct StageLimits: Sendable, Equatable, Codable {
    public var wallTimeSeconds: Double
    public var memoryBytes: Int64
    public var processes: Int
    public var cpus: Int
    public var gpus: Int

    public static let defaults = StageLimits(wallTimeSeconds: 600, memoryBytes: 2 << 30, processes: 64, cpus: 1, gpus: 0)
}

/// Limits per stage, each falling back to the manifest's `default`.
public struct StageLimitsTable: Sendable, Equatable, Codable {
    public var byStage: [String: StageLimits]
    public var fallback: StageLimits

    public func limits(for stage: String) -> StageLimits { byStage[stage] ?? fallback }
}
