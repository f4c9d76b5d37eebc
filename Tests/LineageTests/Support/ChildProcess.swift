import Foundation

/// Runs a tool the tests compare against (`sha256sum`, `dot`, `python3`).
struct ChildProcess {
    var status: Int32
    var output: String
    var errors: String

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Drain stderr on another thread while stdout is read here, so a child that
        // fills one pipe cannot block forever.
        let errorOutput = ErrorOutput()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorOutput.data = stderr.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        let errors = errorOutput.data
        return ChildProcess(
            status: process.terminationStatus,
            output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }

    static func exists(_ executable: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: executable)
    }
}

/// Written once by the draining thread, read after the semaphore says it is done.
private final class ErrorOutput: @unchecked Sendable {
    var data = Data()
}
