import Foundation
import Scheduler

/// A short-lived tool the daemon runs for itself (`sbatch`, `squeue`, `scancel`), its output
/// captured: the same spawning as a job's child, through unlinked temporary files rather
/// than pipes, so a chatty tool can never block on a full pipe.
public enum ToolCommand {
    /// How a tool ended and what it printed. A non-zero status is a result, not an error.
    public struct Output: Sendable, Hashable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `argv` (its first element looked up in the environment's PATH) to its end, with
    /// `input` on stdin. Throws only when the tool could not be started at all.
    public static func run(
        _ argv: [String], input: String? = nil,
        environment: [String: String] = LocalExecutorConfiguration.inheritedEnvironment()
    ) async throws(ExecutionError) -> Output {
        guard let program = argv.first else { throw ExecutionError(.executableNotFound, "no command given") }
        let executable = try ExecutableSearch.resolve(program, searchPath: environment["PATH"], workingDirectory: "/")
        let stdout = try scratchFile()
        let stderr = try scratchFile()
        var stdin: Int32?
        defer {
            close(stdout)
            close(stderr)
            if let stdin { close(stdin) }
        }
        if let input {
            let descriptor = try scratchFile()
            stdin = descriptor
            let bytes = Array(input.utf8)
            guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
                throw ExecutionError(.spawnFailed, "could not write the input of \(program): \(String(cString: strerror(errno)))")
            }
            lseek(descriptor, 0, SEEK_SET)
        }
        let child = try ChildProcess.spawn(executable: executable, argv: argv, environment: environment,
                                           workingDirectory: "/", output: stdout, errors: stderr, input: stdin)
        guard let exit = await child.exit() else {
            throw ExecutionError(.lost, "the exit status of \(program) (pid \(child.pid)) was lost")
        }
        let status: Int32 = switch exit.termination {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
        return Output(status: status, stdout: contents(stdout), stderr: contents(stderr))
    }

    /// A read-write file with no name: gone as soon as it is closed.
    private static func scratchFile() throws(ExecutionError) -> Int32 {
        var template = Array((FileManager.default.temporaryDirectory.path + "/hekaton-tool-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw ExecutionError(.spawnFailed, "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }

    private static func contents(_ descriptor: Int32) -> String {
        lseek(descriptor, 0, SEEK_SET)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
