#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HekatonSupport

extension stat {
    /// What the file is, in words, for errors about files a bundle cannot hold.
    var fileTypeName: String {
        switch fileType {
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFREG: "a regular file"
        default: "an unknown kind of file"
        }
    }
}
