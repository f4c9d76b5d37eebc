import Foundation
import Lineage

/// Where a submission's files live under the state directory.
public struct PipelineLayout: Sendable {
    public let stateDirectory: String
    /// The Python SDK (`python/src`) mounted into every stage.
    public let sdkDirectory: String
    /// The interpreter environments are built from (Debian's, under /usr, visible in the sandbox).
    public var python = "/usr/bin/python3"

    /// This instance's sandbox uids; nil when sandboxes run as the daemon's own uid (not root).
    public let sandboxUIDs: SandboxUIDRange?

    public init(stateDirectory: String, sdkDirectory: String, sandboxUIDs: SandboxUIDRange? = nil) {
        self.stateDirectory = stateDirectory
        self.sdkDirectory = sdkDirectory
        self.sandboxUIDs = sandboxUIDs
    }

    public func submissionDirectory(_ id: Int64) -> String { stateDirectory + "/runs/submission-\(id)" }
    public func scoreDirectory(_ id: Int64) -> String { stateDirectory + "/runs/score-\(id)" }
    /// An automation job's files: an ingestion's attempts, an artifact's inputs and output.
    func taskDirectory(_ task: AutomationTask, job: Int64) -> String { stateDirectory + "/runs/\(task.rawValue)-\(job)" }

    /// Each submission's sandboxes run as a uid of their own (and its scoring as another),
    /// so no submission can read another's files, and none can read root's; nil when
    /// sandboxes do not switch uids.
    public func sandboxUID(_ id: Int64, stage: Stage) throws(SandboxError) -> UInt32? {
        try sandboxUIDs?.uid(submission: id, scoring: stage == .score)
    }

    /// `runs/` and `envs/` are traversable so that a sandbox's uid can reach its own directory.
    func prepareRunsDirectory() throws {
        for name in ["runs", "envs"] {
            let path = stateDirectory + "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o711)
        }
        chmod(stateDirectory, 0o711)
    }
    public func path(_ id: Int64, _ part: String) -> String { submissionDirectory(id) + "/" + part }
    public func environment(_ digest: String) -> String {
        stateDirectory + "/envs/" + digest.replacingOccurrences(of: "sha256:", with: "")
    }

    /// Finds the SDK next to the executable: installed (`share/hekaton/python/src`) or in a
    /// source checkout (`.build/debug/hekatond` → `python/src`).
    public static func locateSDK(executable: String) -> String? {
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            for candidate in ["share/hekaton/python/src", "python/src"] {
                let path = directory.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: path + "/hekaton/__init__.py") { return path }
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// The digest that names an environment: the interpreter and the requirements' bytes.
    public static func environmentDigest(requirements: Data, python: String) -> String {
        var definition = Data("python=\(python)\n".utf8)
        definition.append(requirements)
        return Digest.of(definition).description
    }
}
