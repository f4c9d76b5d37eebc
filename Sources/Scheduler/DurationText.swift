/// Durations as people write them on command lines and in manifests: `500ms`, `90s`, `10m`,
/// `2h`, `1d`, or plain seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = Double(trimmed), plain >= 0, plain.isFinite { return plain }
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite { return value * factor }
        }
        return nil
    }

    /// Longest suffix first, so that `ms` is not read as `m`.
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
}

import Foundation
