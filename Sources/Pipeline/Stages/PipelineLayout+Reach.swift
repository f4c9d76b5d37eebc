import Foundation

extension PipelineLayout {
    /// Sandboxes that run as uids of their own open their run directories and the SDK by
    /// path, so every directory above them must let others search it (`o+x`). Checked at
    /// start-up, so that a closed parent is named then, not at the first stage.
    public func checkSandboxesCanReach() throws(SandboxError) {
        guard sandboxUIDs != nil else { return }
        // The state directory itself is made searchable when the first stage is prepared.
        let needed = [("the state directory", stateDirectory, Self.parents(of: stateDirectory), "--state-dir or state_directory:"),
                      ("the Python SDK", sdkDirectory, Self.parents(of: sdkDirectory) + [sdkDirectory], "python_sdk:")]
        for (what, path, directories, setting) in needed {
            if let closed = Self.closedToOthers(directories) {
                throw SandboxError(.unreachable, "the sandboxes cannot reach \(what) \(path): \(closed), or choose a place below directories others may search (\(setting))")
            }
        }
    }

    /// The first of `directories` that others may not search, told with its mode, its owner
    /// and the remedy; nil when the sandbox uids can pass through them all.
    static func closedToOthers(_ directories: [String]) -> String? {
        for directory in directories {
            var info = stat()
            guard stat(directory, &info) == 0, info.st_mode & S_IXOTH == 0 else { continue }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            return "\(directory) (mode 0\(mode), owner uid \(info.st_uid)) does not let others search it, and sandbox uids are others there; run `chmod o+x \(directory)`"
        }
        return nil
    }

    /// "/", "/a", "/a/b" for "/a/b/c".
    static func parents(of path: String) -> [String] {
        let components = path.split(separator: "/").dropLast()
        return ["/"] + components.indices.map { "/" + components[...$0].joined(separator: "/") }
    }
}
