import Foundation
import Scheduler

/// Finds the program a job names, so that a missing one is reported by name before
/// anything is spawned.
enum ExecutableSearch {
    /// A name with a slash is a path (relative to the working directory); any other name
    /// is looked up in `searchPath` (the child's PATH), as a shell would.
    static func resolve(_ name: String, searchPath: String?, workingDirectory: String) throws(ExecutionError) -> String {
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : workingDirectory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw ExecutionError(.executableNotFound, "the executable '\(name)' does not exist")
            }
            guard isExecutableFile(path) else {
                throw ExecutionError(.notExecutable, "'\(name)' is not an executable file (check its permissions)")
            }
            return path
        }
        let directories = (searchPath ?? "").split(separator: ":", omittingEmptySubsequences: false).map {
            $0.isEmpty ? workingDirectory : String($0)
        }
        for directory in directories {
            let candidate = directory + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw ExecutionError(.executableNotFound,
                             "the executable '\(name)' was not found in PATH (\(searchPath ?? "unset")); give its full path or install it")
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && access(path, X_OK) == 0
    }
}
