import Foundation

/// Waits for a condition with a deadline instead of sleeping and hoping.
func waitUntil(_ what: String, timeout: Duration = .seconds(20), poll: Duration = .milliseconds(20),
               _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return }
        Thread.sleep(forTimeInterval: Double(poll.components.attoseconds) / 1e18 + Double(poll.components.seconds))
    }
    throw TimedOut(what: what, timeout: timeout)
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "timed out after \(timeout) waiting for \(what)" }
}

/// A fresh short directory under /tmp (socket paths must stay under 108 bytes).
func makeScratchDirectory() throws -> URL {
    let url = URL(fileURLWithPath: "/tmp/hk-\(UUID().uuidString.prefix(8).lowercased())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o755])
    return url
}
