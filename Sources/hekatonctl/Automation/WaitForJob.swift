import ControlAPI
import ControlClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Polls a job until it ends (succeeded, dead, cancelled, upstream-failed), showing its state
/// on a terminal; ten polls a second at first, then one a second.
func waitForJob(_ client: ControlClient, _ id: Int64) throws -> JobInfo {
    let final: Set<String> = ["succeeded", "dead", "cancelled", "upstream-failed"]
    let started = Date()
    let terminal = Terminal.errorIsTerminal
    var interval = 0.1
    while true {
        let job: JobInfo = try client.call("GET", "/v1/jobs/\(id)")
        if final.contains(job.state) {
            if terminal { Terminal.writeError("\r\u{1B}[K") }
            return job
        }
        if terminal {
            let line = "\r\u{1B}[Kjob \(id): \(job.state) (\(Format.duration(seconds: Date().timeIntervalSince(started))))"
            Terminal.writeError(line)
        }
        Terminal.sleep(seconds: interval)
        interval = min(interval * 1.5, 1)
    }
}
