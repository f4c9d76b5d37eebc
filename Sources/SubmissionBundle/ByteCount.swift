#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Sizes in messages: "14.2 MiB", with the exact count where a limit is at stake.
public enum ByteCount {
    /// `512 B`, `1.5 KiB`, `3.0 GiB`: one decimal, binary units.
    public static func describe(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : fixed(value, places: 1) + " " + units[unit]
    }

    static func describeExactly(_ count: Int64) -> String {
        count < 1024 ? "\(count) bytes" : "\(describe(count)) (\(count) bytes)"
    }

    /// printf's `%.Nf`, as `String(format:)` writes it, without Foundation's formatter.
    public static func fixed(_ value: Double, places: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        while true {
            let needed = Int(withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)f", $0) })
            if needed < buffer.count { return String(decoding: buffer.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            buffer = [CChar](repeating: 0, count: needed + 1)
        }
    }
}
