/// Durations as people write them on command lines and in manifests: `500ms`, `90s`, `10m`,
/// `2h`, `1d`, or plain seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        let trimmed = trimmingSpaces(text)
        if let plain = Double(trimmed), plain >= 0, plain.isFinite { return plain }
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite { return value * factor }
        }
        return nil
    }

    /// `90s`, `10m`, `7d`: the largest unit that divides the value.
    public static func describe(_ seconds: Double) -> String {
        for (suffix, factor) in [("d", 86400.0), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= factor
            && seconds.truncatingRemainder(dividingBy: factor) == 0 {
            return "\(Int(seconds / factor))\(suffix)"
        }
        return "\(seconds)s"
    }

    /// The text without the spaces and tabs around it (Foundation's `.whitespaces`).
    private static func trimmingSpaces(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// Longest suffix first, so that `ms` is not read as `m`.
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
