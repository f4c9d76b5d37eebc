import ControlAPI
import ControlClient
import Foundation
import TestSupport
import Testing

/// The real `hekatond` binary started in a scratch directory, as systemd would start it:
/// with a `NOTIFY_SOCKET` owned by the test, waited on until `READY=1`.
final class DaemonUnderTest: @unchecked Sendable {
    // The Process is started once and only read afterwards.
    let root: URL
    let stateDirectory: String
    let socketPath: String
    let notify: NotifySocket
    let process = Process()
    let stderrPath: String
    /// A root the test passed in outlives this daemon (a restart reuses it).
    let ownsRoot: Bool

    /// - Parameter wrapper: a command that execs the daemon (its last argument), such as
    ///   `unshare` giving it a mount namespace of its own; the daemon keeps the wrapper's pid.
    init(root: URL? = nil, configuration: String? = nil, extraArguments: [String] = [],
         environment extra: [String: String] = [:], waitForReady: Bool = true, wrapper: [String] = []) throws {
        ownsRoot = root == nil
        let root = try root ?? makeScratchDirectory()
        self.root = root
        stateDirectory = root.appendingPathComponent("state").path
        socketPath = root.appendingPathComponent("d.sock").path
        notify = try NotifySocket(path: root.appendingPathComponent("notify").path)
        stderrPath = root.appendingPathComponent("hekatond.log").path
        var arguments = ["--state-dir", stateDirectory, "--socket", socketPath]
        if let configuration {
            let file = root.appendingPathComponent("hekatond.yaml")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file.path]
        }
        let command = wrapper + [BuiltProducts.hekatond] + arguments + extraArguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment.removeValue(forKey: "LISTEN_FDS")
        environment.removeValue(forKey: "LISTEN_PID")
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if waitForReady {
            _ = try notify.wait(for: "READY=1")
        }
    }

    var client: ControlClient { ControlClient(socketPath: socketPath, timeoutSeconds: 20) }
    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) throws -> Int32 {
        try waitUntil("hekatond (pid \(pid)) to exit; its log:\n\(log)", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// `hekatonctl fsck`, expected healthy: every blob intact, every referenced blob
    /// present. Ends every test that leaves stored state, so any state a test makes is one
    /// fsck is right about.
    func expectHealthyStore(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fsck = try hekatonctl(["fsck", "--json"], socket: socketPath)
        let report = try #require(try? JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8)),
                                  "fsck answered no report: \(fsck.stdout)\(fsck.stderr)", sourceLocation: sourceLocation)
        #expect(report.corrupted.isEmpty, "fsck: corrupted \(report.corrupted)", sourceLocation: sourceLocation)
        #expect(report.missing.isEmpty, "fsck: missing \(report.missing)", sourceLocation: sourceLocation)
        #expect(report.healthy && fsck.status == 0, "fsck: \(fsck.stdout)\(fsck.stderr)", sourceLocation: sourceLocation)
    }

    /// Stops the daemon if it still runs; used at the end of every test.
    func stop() {
        guard process.isRunning else { return }
        signal(SIGTERM)
        _ = try? waitForExit()
        if process.isRunning { signal(SIGKILL) }
    }

    deinit {
        stop()
        if ownsRoot { try? FileManager.default.removeItem(at: root) }
    }
}

/// A child process run to completion, its output captured.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a command to completion (through files, not pipes: see `ChildProcess`).
@discardableResult
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                input: Data? = nil) throws -> CommandResult {
    let child = try ChildProcess.run(executable, arguments, input: input, environment: environment)
    return CommandResult(status: child.status, stdout: child.text, stderr: child.errors)
}

/// Runs `hekatonctl` against the given socket (passed as `$HEKATON_SOCKET`).
@discardableResult
func hekatonctl(_ arguments: [String], socket: String, environment: [String: String] = [:]) throws -> CommandResult {
    var environment = environment
    environment["HEKATON_SOCKET"] = socket
    return try runCommand(BuiltProducts.hekatonctl, arguments, environment: environment)
}

