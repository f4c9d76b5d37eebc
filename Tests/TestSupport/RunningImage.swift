import Foundation

/// An OCI image started as its config says, through `scripts/run-image` (umoci unpack, then
/// the Entrypoint + Cmd under bubblewrap with the image's Env and WorkingDir, the host's
/// network): what `podman run` would do, on machines where podman cannot run.
///
/// Its output goes to `log`; `stop()` (or deinit) ends it.
public final class RunningImage: @unchecked Sendable {
    public let image: String
    public let log: String
    private let process: Process

    /// - Parameters:
    ///   - image: `LAYOUT:REF`.
    ///   - arguments: replace the config's Cmd (`podman run IMAGE ARGS`); nil keeps it.
    ///   - cache: where unpacked images are kept (`HEKATON_CACHE`); a test's scratch directory.
    public init(_ image: String, arguments: [String]? = nil, cache: String, log: String) throws {
        self.image = image
        self.log = log
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repository.root + "/scripts/run-image", image] + (arguments.map { ["--"] + $0 } ?? [])
        process.environment = ProcessInfo.processInfo.environment.merging(["HEKATON_CACHE": cache]) { _, new in new }
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit { stop() }

    public var isRunning: Bool { process.isRunning }

    public var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Polls `GET path` on 127.0.0.1:`port` until it answers 200; fails early, with the
    /// image's output, if the image exits, and at `timeout` if it never answers.
    public func waitUntilHealthy(port: UInt16, path: String = "/healthz", timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw ImageRunFailure(description: "\(image) exited with \(process.terminationStatus) before answering \(path):\n\(output)")
            }
            if let response = try? HTTPProbe.get(port: port, path: path, timeout: .seconds(2)), response.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ImageRunFailure(description: "\(image) did not answer GET \(path) on port \(port) within \(timeout):\n\(output)")
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`; bubblewrap's
    /// `--die-with-parent` takes the image's processes with it.
    public func stop(grace: Duration = .seconds(10)) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

public struct ImageRunFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// The repository this test build comes from (scripts, examples).
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
