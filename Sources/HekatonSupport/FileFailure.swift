/// A module's own error for a failed system call, so an `OpenFile` fails in the error type
/// of whoever opened it, naming the path and the reason (`errno`).
public protocol FileFailure: Error {
    static func failed(_ operation: FileOperation, path: String, errno: Int32) -> Self
}
