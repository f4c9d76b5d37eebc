/// The `typeflag` byte of a tar header.
public struct TarEntryType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let file = TarEntryType(rawValue: UInt8(ascii: "0"))
    /// Pre-POSIX archives mark regular files with NUL.
    public static let oldFile = TarEntryType(rawValue: 0)
    public static let hardLink = TarEntryType(rawValue: UInt8(ascii: "1"))
    public static let symlink = TarEntryType(rawValue: UInt8(ascii: "2"))
    public static let characterDevice = TarEntryType(rawValue: UInt8(ascii: "3"))
    public static let blockDevice = TarEntryType(rawValue: UInt8(ascii: "4"))
    public static let directory = TarEntryType(rawValue: UInt8(ascii: "5"))
    public static let fifo = TarEntryType(rawValue: UInt8(ascii: "6"))
    public static let contiguousFile = TarEntryType(rawValue: UInt8(ascii: "7"))
    /// pax extended header: `key=value` records for the next entry.
    public static let paxHeader = TarEntryType(rawValue: UInt8(ascii: "x"))
    /// pax global header: records for every following entry.
    public static let paxGlobalHeader = TarEntryType(rawValue: UInt8(ascii: "g"))
    /// GNU: the next entry's long name.
    public static let gnuLongName = TarEntryType(rawValue: UInt8(ascii: "L"))
    /// GNU: the next entry's long link target.
    public static let gnuLongLink = TarEntryType(rawValue: UInt8(ascii: "K"))

    public var isRegularFile: Bool { self == .file || self == .oldFile }

    /// The kind of entry with its article, for messages: "a hard link".
    public var description: String {
        switch self {
        case .file, .oldFile: "a regular file"
        case .hardLink: "a hard link"
        case .symlink: "a symbolic link"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .directory: "a directory"
        case .fifo: "a FIFO"
        case .contiguousFile: "a contiguous file"
        default:
            rawValue >= 0x20 && rawValue < 0x7F
                ? "an entry of type '\(Character(Unicode.Scalar(rawValue)))'" : "an entry of type \(rawValue)"
        }
    }
}
