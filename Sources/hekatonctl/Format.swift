import SubmissionBundle

/// Human-readable numbers for terminal output.
enum Format {
    static func duration(seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        if total < 86400 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        return "\(total / 86400)d \(total % 86400 / 3600)h"
    }

    static func bytes(_ count: Int64) -> String { ByteCount.describe(count) }

    /// A score: four decimals, as the leaderboard shows it.
    static func score(_ value: Double) -> String { ByteCount.fixed(value, places: 4) }

    /// `1.250s`: three decimals, a millisecond.
    static func seconds(_ value: Double) -> String { ByteCount.fixed(value, places: 3) + "s" }
}
