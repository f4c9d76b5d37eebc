import Foundation

/// The daemon's own notes in a job's log, beside the job's output: what a user reading
/// `hekatonctl job logs` needs to know that the command itself cannot say.
public enum JobLog {
    /// Appends `hekatond: MESSAGE` as a line of its own; a log that cannot be written is left alone.
    public static func note(_ message: String, to url: URL) {
        let line = Data("hekatond: \(message)\n".utf8)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { return }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
