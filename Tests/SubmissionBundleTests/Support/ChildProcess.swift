import Foundation

/// Runs a tool the tests compare against (`git`, `tar`).
struct ChildProcess {
    var status: Int32
    var output: Data
    var errors: String

    var text: String { String(decoding: output, as: UTF8.self) }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil, directory: String? = nil,
                    environment: [String: String]? = nil) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Drain stderr on another thread while stdout is read here, so a child that fills
        // one pipe cannot block forever.
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
        return ChildProcess(status: process.terminationStatus, output: output,
                            errors: String(decoding: errorOutput.data, as: UTF8.self))
    }
}

/// Written once by the draining thread, read after the semaphore says it is done.
private final class ErrorOutput: @unchecked Sendable {
    var data = Data()
}
