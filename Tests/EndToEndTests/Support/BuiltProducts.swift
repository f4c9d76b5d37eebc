import Foundation

/// Where `swift build` put the executables under test: next to the test bundle, or
/// `$HEKATON_BIN_DIR` when set.
enum BuiltProducts {
    static let directory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["HEKATON_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            candidate.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("hekatond").path) {
                return candidate
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }()

    static var hekatond: String { directory.appendingPathComponent("hekatond").path }
    static var hekatonctl: String { directory.appendingPathComponent("hekatonctl").path }
    static var hekatonBench: String { directory.appendingPathComponent("hekaton-bench").path }

    /// The package's root, for files such as `systemd/` and `docs/`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
