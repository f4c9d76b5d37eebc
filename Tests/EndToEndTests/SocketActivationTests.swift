import ControlAPI
import ControlClient
import Foundation
import Testing

@Suite("Socket activation with the real systemd-socket-activate")
struct SocketActivationTests {
    @Test("hekatond serves on the socket systemd-socket-activate hands it")
    func activated() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "systemd-socket-activate is part of Debian's systemd package")
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let socket = root.appendingPathComponent("activated.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        // The daemon's own --socket points elsewhere: it must use the inherited one instead.
        process.arguments = ["-l", socket, BuiltProducts.hekatond, "--state-dir", root.path + "/state",
                             "--socket", root.path + "/unused.sock"]
        let log = root.appendingPathComponent("log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try waitUntil("the activation socket to exist") { FileManager.default.fileExists(atPath: socket) }
        // The first connection makes systemd-socket-activate start the daemon.
        let status = try ControlClient(socketPath: socket, timeoutSeconds: 30).call("GET", "/v1/status", as: StatusResponse.self)
        #expect(status.pid == process.processIdentifier, "systemd-socket-activate execs the daemon in its own process")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/unused.sock"))
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logText.contains("activated socket"), "log: \(logText)")
    }
}
