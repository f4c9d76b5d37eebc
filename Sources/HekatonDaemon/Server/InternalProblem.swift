import ControlAPI
import Foundation
import GRDB

/// What a client is told when a handler fails for a reason that is not theirs. The details
/// (SQLite's words, file paths) go to the daemon's log under an incident id; the answer
/// carries only the id, so nothing about the host's files leaks to a participant.
enum InternalProblem {
    static func from(_ error: any Error, doing what: String) -> (problem: Problem, incident: String) {
        let incident = String(UUID().uuidString.prefix(8)).lowercased()
        if isDiskFull(error) {
            return (Problem(title: "Insufficient storage", status: 507,
                            detail: "the disk holding the daemon's state directory is full; a host must free space, then try again (incident \(incident))"),
                    incident)
        }
        return (Problem(title: "Internal error", status: 500,
                        detail: "the daemon could not complete \(what); its log has the details under incident \(incident)"),
                incident)
    }

    static func isDiskFull(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError { return error.resultCode == .SQLITE_FULL }
        if let error = error as? POSIXError { return error.code == .ENOSPC || error.code == .EDQUOT }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return nsError.code == Int(ENOSPC) || nsError.code == Int(EDQUOT) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError { return isDiskFull(underlying) }
        return nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileWriteOutOfSpaceError
    }
}
