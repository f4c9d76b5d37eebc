/// A `sha256:<64 lowercase hex>` blob name, checked before it becomes a path: a descriptor
/// that says `sha256:../../etc/passwd` must not open that file.
struct OCIDigest: Hashable, Sendable, CustomStringConvertible {
    static let algorithm = "sha256"

    let hex: String

    init(hex: String) {
        self.hex = hex
    }

    /// nil for anything but SHA-256 with 64 lowercase hex digits, the only form the spec allows for it.
    init?(parsing text: String) {
        let prefix = Self.algorithm + ":"
        guard text.hasPrefix(prefix) else { return nil }
        let hex = text.dropFirst(prefix.count)
        guard hex.utf8.count == 64,
              hex.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        self.hex = String(hex)
    }

    var description: String { "\(Self.algorithm):\(hex)" }

    /// Where the blob lives in a layout.
    func path(in layout: String) -> String {
        "\(layout)/blobs/\(Self.algorithm)/\(hex)"
    }
}
