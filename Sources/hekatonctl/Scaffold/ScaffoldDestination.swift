#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The directory a scaffold is written into: created when missing, refused when it holds
/// anything, and cleaned up again when the scaffold fails half-way, so a retry starts clean.
struct ScaffoldDestination {
    let path: String
    /// Whether the directory did not exist before; then `discard` removes it entirely.
    let isNew: Bool

    static func prepare(_ directory: String) throws(CommandFailure) -> ScaffoldDestination {
        let path = URL(fileURLWithPath: directory).standardizedFileURL.path
        let files = FileManager.default
        var isDirectory = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory else {
                throw CommandFailure(message: "\(path) exists and is not a directory; give a new directory", exitCode: 64)
            }
            let contents = (try? files.contentsOfDirectory(atPath: path)) ?? []
            guard contents.isEmpty else {
                throw CommandFailure(message: """
                    \(path) is not empty (it holds \(contents.sorted().prefix(3).joined(separator: ", "))\
                    \(contents.count > 3 ? ", ..." : "")); give a new or empty directory
                    """, exitCode: 64)
            }
            return ScaffoldDestination(path: path, isNew: false)
        }
        do {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(message: "cannot create \(path): \(failureReason(error))", exitCode: 74)
        }
        return ScaffoldDestination(path: path, isNew: true)
    }

    func write(_ file: ScaffoldFile) throws(CommandFailure) {
        let target = URL(fileURLWithPath: path).appendingPathComponent(file.path)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: target)
            try FileManager.default.setAttributes([.posixPermissions: file.isExecutable ? 0o755 : 0o644], ofItemAtPath: target.path)
        } catch {
            throw CommandFailure(message: "cannot write \(target.path): \(failureReason(error))", exitCode: 74)
        }
    }

    /// Removes what was written: the whole directory when it was new, else its contents.
    func discard() {
        let files = FileManager.default
        if isNew {
            try? files.removeItem(atPath: path)
            return
        }
        for name in (try? files.contentsOfDirectory(atPath: path)) ?? [] {
            try? files.removeItem(atPath: path + "/" + name)
        }
    }
}
