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
            if let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value >= 0 {
                return Int64(value * factor)
            }
        }
        return nil
    }

    static func seconds(_ value: YAMLValue) throws(YAMLError) -> Double {
        let text = try value.string()
        guard let seconds = seconds(text), seconds > 0 else {
            throw value.invalid("'\(text)' is not a duration", suggestion: "write it like 90s, 10m or 2h")
        }
        return seconds
    }

    static func bytes(_ value: YAMLValue) throws(YAMLError) -> Int64 {
        let text = try value.string()
        guard let bytes = bytes(text), bytes > 0 else {
            throw value.invalid("'\(text)' is not a size", suggestion: "write it like 512MiB or 2GiB")
        }
        return bytes
    }
}

