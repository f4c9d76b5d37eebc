import Foundation

/// Sizes in messages: "14.2 MiB", with the exact count where a limit is at stake.
enum ByteCount {
    static func describe(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func describeExactly(_ count: Int64) -> String {
        count < 1024 ? "\(count) bytes" : "\(describe(count)) (\(count) bytes)"
    }
}
