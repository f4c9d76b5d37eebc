import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on the state directory, held for the daemon's lifetime.
///
/// The kernel drops the lock when the process dies, however it dies, so a crashed daemon
/// never blocks its successor, while a live one always keeps a second daemon out.
public final class StateDirectoryLock: Sendable {
    private let fd: Int32
    public let path: String

    public static let fileName = "hekatond.lock"

    public static func acquire(stateDirectory: String) throws(DaemonError) -> StateDirectoryLock {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o711])
        } catch {
            throw DaemonError(.stateDirectory, "cannot create the state directory \(stateDirectory): \(error.localizedDescription)")
        }
        let path = stateDirectory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw DaemonError(.stateDirectory, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            let who = holder.flatMap { $0.isEmpty ? nil : "pid \($0)" } ?? "another process"
            throw DaemonError(.alreadyRunning,
                              "another hekatond (\(who)) is already running on the state directory \(stateDirectory); stop it first, or start this one with another --state-dir")
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StateDirectoryLock(fd: fd, path: path)
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        close(fd)
    }
}
