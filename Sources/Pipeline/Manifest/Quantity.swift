import Cron
import Foundation
import Scheduler
import StrictYAML

/// Durations (`90s`, `10m`, `2h`, `1d`, or plain seconds) and sizes (`512MiB`, `2GiB`, `10MB`,
/// or plain bytes) as hosts write them in manifests.
public enum Quantity {
    public static func seconds(_ text: String) -> Double? { DurationText.seconds(text) }

    public static func bytes(_ text: String) -> Int64? {
        let kibi = 1024.0
        let units: [(String, Double)] = [("KiB", kibi), ("MiB", kibi * kibi), ("GiB", kibi * kibi * kibi),
                                         ("TiB", kibi * kibi * kibi * kibi), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
                                         ("K", kibi), ("M", kibi * kibi), ("G", kibi * kibi * kibi), ("B", 1)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = Int64(trimmed), plain >= 0 { return plain }
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            // Past 2^62 a size means nothing here, and Int64(_:) would trap on it.
            if let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value >= 0,
               value * factor < 0x1p62 {
                return Int64(value * factor)
            }
        }
        return nil
    }

    /// A duration within `range` (seconds).
    static func seconds(_ value: YAMLValue, in range: ClosedRange<Double>) throws(YAMLError) -> Double {
        let text = try value.string()
        guard let seconds = seconds(text), seconds > 0 else {
            throw value.invalid("'\(text)' is not a duration", suggestion: "write it like 90s, 10m or 2h")
        }
        guard range.contains(seconds) else {
            throw value.outOfRange("'\(text)'", DurationText.describe(range.lowerBound), DurationText.describe(range.upperBound))
        }
        return seconds
    }

    /// A size within `range` (bytes).
    static func bytes(_ value: YAMLValue, in range: ClosedRange<Int64>) throws(YAMLError) -> Int64 {
        let text = try value.string()
        guard let bytes = bytes(text), bytes > 0 else {
            throw value.invalid("'\(text)' is not a size", suggestion: "write it like 512MiB or 2GiB")
        }
        guard range.contains(bytes) else {
            throw value.outOfRange("'\(text)'", describe(range.lowerBound), describe(range.upperBound))
        }
        return bytes
    }

    /// `512MiB`, `1TiB`, or plain bytes when no binary unit divides it.
    static func describe(_ bytes: Int64) -> String {
        for (suffix, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }
}

