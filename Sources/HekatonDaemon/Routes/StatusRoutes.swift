import ControlAPI
import Foundation

extension Router {
    /// `GET /v1/status`: what the daemon is and what it holds.
    mutating func addStatusRoutes(_ daemon: DaemonContext) {
        add("GET", "/v1/status", .anyone) { request in
            .json(try await daemon.status(for: request.caller))
        }
    }
}
