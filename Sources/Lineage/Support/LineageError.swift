import Foundation
import HekatonSupport

/// Why a lineage operation failed, with a message the person at the terminal can act on.
public struct LineageError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Code: String, Sendable, Codable {
        /// A dataset name, tag or artifact kind breaks the naming rules.
        case invalidName
        /// A string is not a `sha256:` digest.
        case invalidDigest
        /// A `kind:value` reference on the command line is malformed.
        case invalidReference
        /// A record, blob or path that was asked for does not exist.
        case notFound
        /// The request contradicts what is already recorded (tag taken, run already finished).
        case conflict
        /// A path cannot be opened or listed (permissions, I/O error).
        case unreadablePath
        /// A symbolic link inside a snapshot points outside the snapshotted directory.
        case symlinkOutsideTree
        /// A device, socket or FIFO where only files, directories and links are allowed.
        case unsupportedFileType
        /// A file changed while it was being hashed or stored.
        case fileChanged
        /// A blob's content no longer hashes to its name.
        case corruptBlob
        /// A blob the records reference is not in the store.
        case missingBlob
        /// A stored manifest does not decode or breaks its own rules.
        case invalidManifest
        /// Writing to the blob store or a destination directory failed.
        case writeFailed
    }

    public var code: Code
    public var message: String
    /// The file system path the error is about, when there is one.
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { message }
    public var errorDescription: String? { message }

    /// The blob store lost or damaged bytes the records need: the fault of the storage, not
    /// of whoever supplied the input, and fixed by restoring from a backup, not by retrying.
    public var isStorageDamage: Bool { code == .corruptBlob || code == .missingBlob }
}

extension LineageError {
    /// Turns a failed system call into an error naming the path, so "Permission denied"
    /// never reaches a user without the file it was about.
    static func systemCall(_ action: String, path: String, errno code: Int32 = errno) -> LineageError {
        let reason = String(cString: strerror(code))
        let kind: Code = switch code {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM, EIO, ELOOP: .unreadablePath
        default: .writeFailed
        }
        return LineageError(kind, "cannot \(action) '\(path)': \(reason)", path: path)
    }
}

extension LineageError: FileFailure {
    public static func failed(_ operation: FileOperation, path: String, errno: Int32) -> LineageError {
        systemCall(operation.words, path: path, errno: errno)
    }
}

/// An open file whose failures are lineage errors naming its path.
typealias LineageFile = OpenFile<LineageError>
