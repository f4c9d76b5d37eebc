import Images
import Lineage

/// A score on the public and on the private part of the evaluation rows.
struct SplitScores: Sendable, Equatable {
    var publicScore: Double
    var privateScore: Double
}

/// What a stage made, carried from its run to its record in memory.
enum StageOutput: Sendable, Equatable {
    /// The environment is built (or was already): in image mode, its image.
    case built(EnvironmentImage?)
    case model(Digest)
    case predictions(Digest)
    /// The score on all the evaluation rows, and on the public and private parts when the
    /// score entrypoint reported them.
    case score(Double, metric: String?, splits: SplitScores?)
    /// The stage exited 0 but left nothing usable, or it ran out of memory: why, in words
    /// for the participant. An attempt that succeeded with this fails when recorded.
    case unusable(String)

    var problem: String? {
        if case .unusable(let why) = self { why } else { nil }
    }
}
