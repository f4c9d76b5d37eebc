/// Parses a tar archive (ustar, pax, and GNU long names) from bytes that arrive in
/// pieces of any size, such as an HTTP body, and reports entries and their content as
/// events. It holds at most one header block and one bounded metadata record in memory.
///
/// It checks the format only (checksums, numbers, the end marker); what an entry may be
/// and where it may go is `TarExtractor`'s business.
public struct TarReader {
    public enum Event {
        /// A new entry; pax and GNU long names are already applied.
        case entry(TarHeader)
        /// The next piece of the current entry's content.
        case contents(ArraySlice<UInt8>)
        /// The current entry's content is complete.
        case entryEnd
    }

    public typealias Handler = (Event) throws(BundleError) -> Void

    private enum State {
        case header
        case contents(remaining: Int64, padding: Int)
        case padding(remaining: Int)
        case metadata(type: TarEntryType, remaining: Int, padding: Int)
        case ended
    }

    /// The largest pax or GNU metadata record accepted: names are short, and a larger one
    /// is an attempt to make the reader hold memory.
    public let maximumMetadataBytes: Int
    private var state = State.header
    private var block: [UInt8] = []
    private var metadata: [UInt8] = []
    /// The next entry's `path`, `linkpath` and `size`, from pax or GNU records.
    private var overrides: [String: [UInt8]] = [:]
    private var zeroBlocks = 0
    private var offset: Int64 = 0
    private var currentPath = ""

    public init(maximumMetadataBytes: Int = 64 << 10) {
        self.maximumMetadataBytes = maximumMetadataBytes
        block.reserveCapacity(TarHeader.blockSize)
    }

    /// Whether the end-of-archive marker has been read.
    public var isAtEnd: Bool {
        if case .ended = state { return true }
        return false
    }

    /// Parses the next piece of the archive, calling `handler` for what it completes.
    public mutating func consume(_ bytes: ArraySlice<UInt8>, _ handler: Handler) throws(BundleError) {
        var input = bytes
        while !input.isEmpty {
            switch state {
            case .ended:
                return  // what follows the end marker is padding to a record size
            case .header:
                let piece = input.prefix(TarHeader.blockSize - block.count)
                block += piece
                input = input.dropFirst(piece.count)
                guard block.count == TarHeader.blockSize else { return }
                try parseHeader(handler)
                offset += Int64(TarHeader.blockSize)
                block.removeAll(keepingCapacity: true)
            case .contents(let remaining, let padding):
                let piece = input.prefix(Int(min(remaining, Int64(input.count))))
                input = input.dropFirst(piece.count)
                offset += Int64(piece.count)
                try handler(.contents(piece))
                if remaining == Int64(piece.count) {
                    try handler(.entryEnd)
                    state = padding > 0 ? .padding(remaining: padding) : .header
                } else {
                    state = .contents(remaining: remaining - Int64(piece.count), padding: padding)
                }
            case .padding(let remaining):
                let count = min(remaining, input.count)
                input = input.dropFirst(count)
                offset += Int64(count)
                state = remaining > count ? .padding(remaining: remaining - count) : .header
            case .metadata(let type, let remaining, let padding):
                let piece = input.prefix(remaining)
                input = input.dropFirst(piece.count)
                offset += Int64(piece.count)
                metadata += piece
                if remaining > piece.count {
                    state = .metadata(type: type, remaining: remaining - piece.count, padding: padding)
                } else {
                    try applyMetadata(type)
                    state = padding > 0 ? .padding(remaining: padding) : .header
                }
            }
        }
    }

    /// Checks that the archive ended where it should: after its end marker (two zero
    /// blocks, or one at the very end), not in the middle of an entry.
    public func finish() throws(BundleError) {
        switch state {
        case .ended:
            return
        case .header where block.isEmpty && zeroBlocks == 1 && overrides.isEmpty:
            return
        case .header where block.isEmpty && zeroBlocks == 0 && offset > 0 && overrides.isEmpty:
            throw malformed("the archive ends after '\(currentPath)' without its end-of-archive marker; the upload was cut short")
        default:
            let place = currentPath.isEmpty ? "" : " (in or after '\(currentPath)')"
            throw malformed("the archive ends early at byte \(offset + Int64(block.count))\(place); the upload was cut short")
        }
    }

    // MARK: Headers

    private mutating func parseHeader(_ handler: Handler) throws(BundleError) {
        if block.allSatisfy({ $0 == 0 }) {
            guard overrides.isEmpty else { throw malformed("extended header at byte \(offset) is followed by the end of the archive, not an entry") }
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .ended }
            return
        }
        guard zeroBlocks == 0 else { throw malformed("a zero block in the middle of the archive, before byte \(offset)") }
        try checkChecksum()
        let isPOSIX = block[257..<263].elementsEqual(Array("ustar\0".utf8))
        guard isPOSIX || block[257..<265].elementsEqual(Array("ustar  \0".utf8)) else {
            throw malformed("the header at byte \(offset) is not a ustar, pax or GNU tar header")
        }
        let type = TarEntryType(rawValue: block[156])
        let declaredSize = try number(124, 12, field: "size")
        switch type {
        case .paxHeader, .paxGlobalHeader, .gnuLongName, .gnuLongLink:
            guard declaredSize <= Int64(maximumMetadataBytes) else {
                throw malformed("an extended header of \(declaredSize) bytes at byte \(offset), over the \(maximumMetadataBytes)-byte limit")
            }
            metadata.removeAll(keepingCapacity: true)
            let padding = TarHeader.padding(after: declaredSize).count
            state = .metadata(type: type, remaining: Int(declaredSize), padding: padding)
            if declaredSize == 0 {
                try applyMetadata(type)
                state = .header
            }
            return
        default:
            break
        }

        var nameBytes = overrides["path"] ?? Self.field(block[0..<100])
        if overrides["path"] == nil && isPOSIX {
            let prefix = Self.field(block[345..<500])
            if !prefix.isEmpty { nameBytes = prefix + [ASCII.slash] + nameBytes }
        }
        let linkBytes = overrides["linkpath"] ?? Self.field(block[157..<257])
        var size = declaredSize
        if let paxSize = overrides["size"] {
            guard let value = Int64(String(decoding: paxSize, as: UTF8.self)), value >= 0 else {
                throw malformed("the pax size of the entry at byte \(offset) is not a number")
            }
            size = value
        }
        overrides.removeAll()
        guard let path = String(validating: nameBytes, as: UTF8.self), let link = String(validating: linkBytes, as: UTF8.self) else {
            throw BundleError(.unsafePath, "the archive entry at byte \(offset) has a name or link target that is not valid UTF-8")
        }
        currentPath = path
        let mode = UInt32(truncatingIfNeeded: try number(100, 8, field: "mode"))
        try handler(.entry(TarHeader(path: path, type: type, mode: mode, size: size, linkTarget: link)))
        let padding = TarHeader.padding(after: size).count
        if size > 0 {
            state = .contents(remaining: size, padding: padding)
        } else {
            try handler(.entryEnd)
        }
    }

    private func checkChecksum() throws(BundleError) {
        let stored = try number(148, 8, field: "checksum")
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? ASCII.space : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        // Some old writers summed signed bytes; both are accepted, as GNU tar does.
        guard stored == unsigned || stored == signed else {
            throw malformed("the header at byte \(offset) has a wrong checksum; the archive is corrupt or not a tar archive")
        }
    }

    /// A numeric field: octal digits (space or NUL terminated), or GNU's base-256.
    private func number(_ start: Int, _ width: Int, field name: String) throws(BundleError) -> Int64 {
        let bytes = block[start..<(start + width)]
        if let first = bytes.first, first & 0x80 != 0 {
            guard first & 0x40 == 0 else { throw malformed("a negative \(name) in the header at byte \(offset)") }
            var value = Int64(first & 0x3F)
            for byte in bytes.dropFirst() {
                guard value <= (Int64.max >> 8) else { throw malformed("the \(name) in the header at byte \(offset) is too large") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var digits = bytes.drop { $0 == ASCII.space }
        digits = digits.prefix { $0 != 0 && $0 != ASCII.space }
        for digit in digits {
            guard digit >= ASCII.zero && digit < ASCII.zero + 8, value <= (Int64.max >> 3) else {
                throw malformed("the \(name) field of the header at byte \(offset) is not an octal number")
            }
            value = value << 3 | Int64(digit - ASCII.zero)
        }
        return value
    }

    /// A NUL-terminated text field.
    private static func field(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(bytes.prefix { $0 != 0 })
    }

    // MARK: Metadata

    private mutating func applyMetadata(_ type: TarEntryType) throws(BundleError) {
        switch type {
        case .gnuLongName:
            overrides["path"] = Self.field(metadata[...])
        case .gnuLongLink:
            overrides["linkpath"] = Self.field(metadata[...])
        case .paxHeader:
            for (key, value) in try paxRecords() where ["path", "linkpath", "size"].contains(key) {
                overrides[key] = value
            }
        default:
            _ = try paxRecords()  // global records: checked, not applied; no entry of ours needs them
        }
        metadata.removeAll(keepingCapacity: true)
    }

    /// `"LEN key=value\n"` records; LEN counts the whole record.
    private func paxRecords() throws(BundleError) -> [(String, [UInt8])] {
        var records: [(String, [UInt8])] = []
        var rest = metadata[...]
        while !rest.isEmpty {
            guard let space = rest.firstIndex(of: ASCII.space),
                  let length = Int(String(decoding: rest[..<space], as: UTF8.self)),
                  length > space - rest.startIndex + 1, length <= rest.count,
                  rest[rest.startIndex + length - 1] == ASCII.newline else {
                throw malformed("a malformed pax record in the extended header before byte \(offset)")
            }
            let record = rest[(space + 1)..<(rest.startIndex + length - 1)]
            guard let equals = record.firstIndex(of: ASCII.equals) else {
                throw malformed("a pax record without '=' in the extended header before byte \(offset)")
            }
            records.append((String(decoding: record[..<equals], as: UTF8.self), Array(record[(equals + 1)...])))
            rest = rest.dropFirst(length)
        }
        return records
    }

    private func malformed(_ message: String) -> BundleError {
        BundleError(.malformedArchive, message)
    }
}
