import Images
import Lineage

/// What a stage made, carried from its run to its record in memory.
enum StageOutput: Sendable, Equatable {
    /// The environment is built (or was already): in image mode, its image.
    case built(EnvironmentImage?)
    case model(Digest)
    case predictions(Digest)
    case score(Double, metric: String?)
    /// The stage exited 0 but left nothing usable, or it ran out of memory: why, in words
    /// for the participant. An attempt that succeeded with this fails when recorded.
    case unusable(String)

    var problem: String? {
        if case .unusable(let why) = self { why } else { nil }
    }
}
