import Foundation
import HekatonSupport

/// Why an image could not be built, with a message that names the file at fault and says
/// what to do about it: the host that runs the nightly rebuild shows it as it is.
public struct OCILayoutError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Code: String, Sendable, Codable {
        /// The base layout is missing, or lacks `oci-layout` or `index.json`.
        case baseLayoutMissing
        /// The base index has no manifest by the reference asked for, or several and none was asked for.
        case baseReferenceNotFound
        /// A descriptor or document of a kind this module does not build on (nested index, Docker media types).
        case unsupportedMediaType
        /// A JSON document of the base does not decode, or breaks the image specification.
        case malformedDocument
        /// A blob the base layout names is not in its `blobs` directory.
        case blobMissing
        /// A blob's size or SHA-256 differs from its descriptor.
        case blobCorrupt
        /// The content directory cannot become a layer (missing, escaping link, device, whiteout name).
        case invalidContent
        /// A field of the request is not usable (prefix, reference, environment).
        case invalidRequest
        /// The output directory exists and is not empty.
        case outputNotEmpty
        /// Reading or writing a file failed.
        case ioFailed
    }

    public var code: Code
    public var message: String
    /// The file the error is about, when there is one.
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { message }
    public var errorDescription: String? { message }
}

extension OCILayoutError {
    /// A failed system call, naming its path, so "Permission denied" never arrives without the file.
    static func systemCall(_ action: String, path: String, errno number: Int32 = errno) -> OCILayoutError {
        OCILayoutError(.ioFailed, "cannot \(action) '\(path)': \(String(cString: strerror(number)))", path: path)
    }
}

extension OCILayoutError: FileFailure {
    public static func failed(_ operation: FileOperation, path: String, errno: Int32) -> OCILayoutError {
        systemCall(operation.words, path: path, errno: errno)
    }
}

/// An open file whose failures are layout errors naming its path.
typealias LayoutFile = OpenFile<OCILayoutError>
