import ControlAPI
import Foundation
import Scheduler

extension Router {
    /// Cron schedules; defining and changing them is for hosts.
    mutating func addScheduleRoutes(_ daemon: DaemonContext) {
        add("POST", "/v1/schedules", .host) { request in
            let body = try request.decode(ScheduleAddRequest.self)
            var schedule = Schedule(name: body.name, cron: body.cron, timeZone: body.timeZone ?? TimeZone.current.identifier,
                                    argv: body.argv, queue: body.queue ?? JobSpec.defaultQueue,
                                    timeoutSeconds: body.timeoutSeconds, maxAttempts: body.maxAttempts ?? 1,
                                    createdAt: daemon.queue.clock.now())
            guard let overlap = ScheduleOverlap(rawValue: body.overlap ?? "forbid") else {
                throw Problem(title: "Invalid schedule", status: 400, detail: "overlap must be allow, forbid or replace")
            }
            guard let catchUp = ScheduleCatchUp(rawValue: body.catchUp ?? "once") else {
                throw Problem(title: "Invalid schedule", status: 400, detail: "catchUp must be none or once")
            }
            schedule.overlap = overlap
            schedule.catchUp = catchUp
            schedule.deadlineSeconds = body.deadlineSeconds
            schedule.jitterSeconds = body.jitterSeconds
            let chosen = schedule
            let added = try await daemon.mapScheduleErrors { try await daemon.database.write { db in try daemon.schedules.add(db, chosen) } }
            daemon.scheduleRunner?.wake()
            return .json(ScheduleMapping.info(added), status: 201)
        }
        add("GET", "/v1/schedules", .host) { _ in
            .json(ScheduleList(schedules: try await daemon.database.read { db in try daemon.schedules.list(db) }.map { ScheduleMapping.info($0) }))
        }
        add("GET", "/v1/schedules/{name}", .host) { request in
            let name = request.parameters["name"] ?? ""
            let (schedule, events) = try await daemon.mapScheduleErrors {
                try await daemon.database.read { db in (try daemon.schedules.schedule(db, name), try daemon.schedules.events(db, of: name)) }
            }
            return .json(ScheduleMapping.info(schedule, events: events))
        }
        add("DELETE", "/v1/schedules/{name}", .host) { request in
            let name = request.parameters["name"] ?? ""
            return .json(ScheduleMapping.info(try await daemon.mapScheduleErrors {
                try await daemon.database.write { db in try daemon.schedules.remove(db, name) }
            }))
        }
        for (verb, suspended) in [("suspend", true), ("resume", false)] {
            add("POST", "/v1/schedules/{name}/\(verb)", .host) { request in
                let name = request.parameters["name"] ?? ""
                let schedule = try await daemon.mapScheduleErrors {
                    try await daemon.database.write { db in try daemon.schedules.setSuspended(db, name, suspended) }
                }
                daemon.scheduleRunner?.wake()
                return .json(ScheduleMapping.info(schedule))
            }
        }
        add("POST", "/v1/schedules/{name}/run", .host) { request in
            let name = request.parameters["name"] ?? ""
            let body = request.body.isEmpty ? ScheduleRunRequest() : try request.decode(ScheduleRunRequest.self)
            var logicalTime: Date?
            if let text = body.logicalTime {
                guard let instant = RFC3339.parse(text) else {
                    throw Problem(title: "Invalid logical time", status: 400,
                                  detail: "'\(text)' is not an RFC 3339 instant; write it like 2026-11-29T04:00:00+09:00")
                }
                logicalTime = instant
            }
            let instant = logicalTime
            _ = try await daemon.mapScheduleErrors { try await daemon.schedules.runNow(name, logicalTime: instant) }
            daemon.workers?.wake()
            return .json(ScheduleMapping.info(try await daemon.database.read { db in try daemon.schedules.schedule(db, name) }))
        }
    }
}

extension DaemonContext {
    func mapScheduleErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ScheduleError {
            let status = switch error.code {
            case .unknown: 404
            case .duplicate: 409
            default: 400
            }
            throw Problem(title: "Schedule refused", status: status, detail: error.message)
        }
    }
}

enum ScheduleMapping {
    static func info(_ s: Schedule, events: [ScheduleEvent]? = nil) -> ScheduleInfo {
        ScheduleInfo(name: s.name, cron: s.cron, timeZone: s.timeZone, overlap: s.overlap.rawValue, catchUp: s.catchUp.rawValue,
                     deadlineSeconds: s.deadlineSeconds, jitterSeconds: s.jitterSeconds, argv: s.argv, queue: s.queue,
                     suspended: s.suspended, nextFireAt: s.nextFireAt.map { RFC3339.string($0) },
                     lastFireAt: s.lastFireAt.map { RFC3339.string($0) }, lastOutcome: s.lastOutcome, lastJobID: s.lastJobID,
                     createdAt: RFC3339.string(s.createdAt),
                     events: events?.map {
                         ScheduleEventInfo(at: RFC3339.string($0.at), scheduledFor: $0.scheduledFor.map { RFC3339.string($0) },
                                           kind: $0.kind.rawValue, jobID: $0.jobID, detail: $0.detail)
                     })
    }
}
