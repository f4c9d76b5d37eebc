/// The metadata of one tar entry, and its encoding as POSIX ustar header blocks, with a
/// pax extended header in front when a name, link target or size does not fit ustar.
///
/// Encoding is deterministic: modification time 0, owner and group 0 with empty names,
/// so the same entries always give the same bytes. Nothing here checks that a path is
/// safe; `TarExtractor` does that on the way in, and tests craft hostile headers with it.
public struct TarHeader: Sendable, Equatable {
    public static let blockSize = 512

    public var path: String
    public var type: TarEntryType
    public var mode: UInt32
    public var size: Int64
    public var linkTarget: String

    public init(path: String, type: TarEntryType, mode: UInt32 = 0o644, size: Int64 = 0, linkTarget: String = "") {
        self.path = path
        self.type = type
        self.mode = mode
        self.size = size
        self.linkTarget = linkTarget
    }

    /// The largest size an 11-digit octal field holds (8 GiB - 1).
    static let maximumOctalSize: Int64 = 0o777_7777_7777

    /// The header blocks, without the content that follows them.
    public func encoded() -> [UInt8] {
        let name = Array(path.utf8)
        let link = Array(linkTarget.utf8)
        var records: [(key: String, value: [UInt8])] = []
        let split = Self.ustarSplit(name)
        if split == nil { records.append(("path", name)) }
        if link.count > 100 { records.append(("linkpath", link)) }
        if size > Self.maximumOctalSize { records.append(("size", Array(String(size).utf8))) }

        var blocks: [UInt8] = []
        if !records.isEmpty {
            let data = records.flatMap { Self.paxRecord(key: $0.key, value: $0.value) }
            let basename = name.split(separator: ASCII.slash).last.map(Array.init) ?? []
            blocks += Self.ustarBlock(name: Array("PaxHeader/".utf8) + basename.prefix(90), prefix: [], type: .paxHeader,
                                      mode: 0o644, size: Int64(data.count), link: [])
            blocks += data
            blocks += Self.padding(after: Int64(data.count))
        }
        blocks += Self.ustarBlock(name: split?.name ?? Array(name.prefix(100)), prefix: split?.prefix ?? [], type: type, mode: mode,
                                  size: size > Self.maximumOctalSize ? 0 : size, link: Array(link.prefix(100)))
        return blocks
    }

    /// Zero bytes that fill the last block of `size` bytes of content.
    static func padding(after size: Int64) -> [UInt8] {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? [] : [UInt8](repeating: 0, count: blockSize - remainder)
    }

    /// A name as ustar's `prefix` and `name` fields (split at a slash), or nil when it
    /// needs a pax `path` record.
    private static func ustarSplit(_ name: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        if name.count <= 100 { return ([], name) }
        for index in name.indices where name[index] == ASCII.slash {
            let rest = name[(index + 1)...]
            guard rest.count <= 100 else { continue }
            // Later slashes only make the prefix longer.
            guard index > 0, index <= 155, !rest.isEmpty else { return nil }
            return (Array(name[..<index]), Array(rest))
        }
        return nil
    }

    /// One pax record, `"LEN key=value\n"`, where LEN counts the whole record, itself included.
    private static func paxRecord(key: String, value: [UInt8]) -> [UInt8] {
        let payload = key.utf8.count + value.count + 3
        var length = payload + 1
        while String(length).count + payload != length { length = String(length).count + payload }
        return Array("\(length) \(key)=".utf8) + value + [ASCII.newline]
    }

    private static func ustarBlock(name: [UInt8], prefix: [UInt8], type: TarEntryType, mode: UInt32, size: Int64,
                                   link: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            block.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        func putOctal(_ value: Int64, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8), at: offset)
            block[offset + width - 1] = 0
        }
        put(name, at: 0)
        putOctal(Int64(mode), at: 100, width: 8)
        putOctal(0, at: 108, width: 8)   // uid
        putOctal(0, at: 116, width: 8)   // gid
        putOctal(size, at: 124, width: 12)
        putOctal(0, at: 136, width: 12)  // mtime
        block[156] = type.rawValue
        put(link, at: 157)
        put(Array("ustar\0".utf8), at: 257)
        put(Array("00".utf8), at: 263)
        putOctal(0, at: 329, width: 8)   // device major
        putOctal(0, at: 337, width: 8)   // device minor
        put(prefix, at: 345)
        put([UInt8](repeating: ASCII.space, count: 8), at: 148)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        putOctal(checksum, at: 148, width: 7)  // six digits and a NUL; the eighth byte stays a space
        return block
    }
}
