#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension stat {
    public var fileType: mode_t { st_mode & S_IFMT }
    public var isDirectory: Bool { fileType == S_IFDIR }
    public var isRegularFile: Bool { fileType == S_IFREG }
    public var isSymbolicLink: Bool { fileType == S_IFLNK }
    public var isExecutable: Bool { st_mode & S_IXUSR != 0 }
}
