import Foundation
import TestSupport

/// The container tools the tests check images with. Their absence skips the tests that need
/// them with the command that installs them; everything else fails loudly.
enum Tools {
    static let installHint = "needs skopeo, umoci and busybox-static: apt-get install skopeo umoci busybox-static"

    static let available: Bool = ["skopeo", "umoci"].allSatisfy { find($0) != nil }
        && (try? ChildProcess.run("/usr/bin/dpkg-query", ["-W", "-f=${Status}", "busybox-static"]).text.contains("install ok installed")) == true

    static let bubblewrap: Bool = find("bwrap") != nil

    static let isRoot = geteuid() == 0

    /// `umoci unpack` and `repack` need `--rootless` when not run as root.
    static var rootless: [String] { isRoot ? [] : ["--rootless"] }

    static func find(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first(where: ChildProcess.exists)
    }

    /// Runs a tool that must succeed; its error output becomes the failure's message.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> ChildProcess {
        guard let executable = find(name) else { throw ToolFailure(description: "\(name) is not installed; \(installHint)") }
        // UTC, so listings with times read the same on every machine.
        let result = try ChildProcess.run(executable, arguments, environment: ["TZ": "UTC"])
        guard result.status == 0 else {
            throw ToolFailure(description: "\(name) \(arguments.joined(separator: " ")) exited with \(result.status): \(result.errors)\(result.text)")
        }
        return result
    }

    static func json(_ name: String, _ arguments: [String]) throws -> [String: Any] {
        let output = try run(name, arguments).output
        guard let object = try JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw ToolFailure(description: "\(name) \(arguments.joined(separator: " ")) printed no JSON object")
        }
        return object
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}
