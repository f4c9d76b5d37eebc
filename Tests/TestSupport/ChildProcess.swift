import Foundation

/// Runs a tool to completion for a test (`git`, `dot`, `sha256sum`, `hekatonctl` itself).
///
/// Output goes through files, not pipes: a daemon that another test starts at the same
/// moment may inherit a pipe's write end and hold it open, and a reader waiting for the end
/// of that pipe would then wait for the daemon.
public struct ChildProcess: Sendable {
    public var status: Int32
    public var output: Data
    public var errors: String

    public var text: String { String(decoding: output, as: UTF8.self) }

    /// - Parameter environment: added to the test's own environment.
    public static func run(_ executable: String, _ arguments: [String], input: Data? = nil, directory: String? = nil,
                           environment: [String: String] = [:]) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hk-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        if let input {
            let inURL = scratch.appendingPathComponent("in")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ChildProcess(status: process.terminationStatus, output: (try? Data(contentsOf: outURL)) ?? Data(),
                            errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    public static func exists(_ executable: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: executable)
    }
}
