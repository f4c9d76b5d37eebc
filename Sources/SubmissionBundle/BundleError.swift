#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import HekatonSupport

/// Why a bundle could not be made or an archive could not be extracted, with a message
/// that names the path or archive entry at fault and says what to do about it.
public struct BundleError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Code: String, Sendable, Codable {
        /// The directory to bundle, or to extract into, is missing or not a directory.
        case notADirectory
        /// A file or directory cannot be listed, opened or read.
        case unreadable
        /// A symbolic link resolves outside the directory (or is absolute, or loops).
        case symlinkEscapes
        /// A device, FIFO, socket or hard link where only files, directories and links belong.
        case unsupportedFileType
        /// The files add up to more than the limit.
        case tooLarge
        /// The archive holds more entries than the limit.
        case tooManyEntries
        /// A file changed between listing and archiving.
        case fileChanged
        /// An archive entry's path is absolute, climbs with `..`, passes through a link, or is not UTF-8.
        case unsafePath
        /// An archive names the same path twice.
        case duplicateEntry
        /// The bytes are not a well-formed tar archive.
        case malformedArchive
        /// Writing the archive or an extracted file failed.
        case writeFailed
    }

    public var code: Code
    public var message: String
    /// The file system path or archive entry the error is about, when there is one.
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { message }
    public var errorDescription: String? { message }
}

extension BundleError {
    /// A failed system call as an error naming its path, so "Permission denied" never
    /// reaches a user without the file it was about.
    static func systemCall(_ code: Code, _ action: String, path: String, errno number: Int32 = errno) -> BundleError {
        BundleError(code, "cannot \(action) '\(path)': \(String(cString: strerror(number)))", path: path)
    }
}

extension BundleError: FileFailure {
    public static func failed(_ operation: FileOperation, path: String, errno: Int32) -> BundleError {
        systemCall(operation.changesFile ? .writeFailed : .unreadable, operation.words, path: path, errno: errno)
    }
}

/// An open file whose failures are bundle errors naming its path.
typealias BundleFile = OpenFile<BundleError>
