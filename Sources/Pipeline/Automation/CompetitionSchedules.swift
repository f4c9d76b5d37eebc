import Foundation
import GRDB
import Scheduler

/// The schedules a competition's manifest declares (`schedules: {ingest, retrain, artifact}`),
/// kept in the schedule table as `COMPETITION.TASK` so that `hekatonctl schedule` shows,
/// suspends and runs them like any other.
public enum CompetitionSchedules {
    /// Makes the stored schedules match the manifest, inside the publishing transaction:
    /// new ones are added, changed ones take their new expression (and keep their history),
    /// ones the manifest no longer declares are removed.
    public static func sync(_ manifest: CompetitionManifest, now: Date, _ db: Database) throws {
        var wanted: Set<String> = []
        for task in AutomationTask.allCases {
            guard let spec = manifest.schedules[task.rawValue] else { continue }
            let name = task.scheduleName(manifest.name)
            wanted.insert(name)
            let zoneName = spec.timeZone ?? "UTC"
            let limits = manifest.limits.limits(for: task == .artifact ? "artifact" : "train")
            var labels = [AutomationTask.label: task.rawValue, AutomationTask.competitionLabel: manifest.name,
                          AutomationTask.timeZoneLabel: zoneName]
            if task == .ingest { labels["hekaton.dataset"] = manifest.dataset.name }
            var schedule = Schedule(
                name: name, cron: spec.cron, timeZone: zoneName, overlap: .forbid, catchUp: .once, kind: task.kind,
                argv: ["hekatond", task.rawValue, manifest.name], queue: task.rawValue,
                timeoutSeconds: task == .retrain ? 60 : limits.wallTimeSeconds, maxAttempts: 3, labels: labels,
                // Automation runs on the daemon's host, whatever the daemon's `executor:`.
                executor: ExecutorKind.local.rawValue, createdAt: now)
            let cron = try ScheduleBook.validate(schedule)
            if var existing = try Schedule.fetchOne(db, key: name) {
                if existing.cron != schedule.cron || existing.timeZone != schedule.timeZone {
                    existing.nextFireAt = cron.nextFireDate(after: now)
                }
                schedule.createdAt = existing.createdAt
                schedule.suspended = existing.suspended
                schedule.lastFireAt = existing.lastFireAt
                schedule.lastOutcome = existing.lastOutcome
                schedule.lastJobID = existing.lastJobID
                schedule.nextFireAt = existing.nextFireAt
                try schedule.update(db)
            } else {
                schedule.nextFireAt = cron.nextFireDate(after: now)
                try schedule.insert(db)
            }
        }
        for schedule in try Schedule.filter(sql: "name LIKE ? ESCAPE '\\'", arguments: [manifest.name.replacingOccurrences(of: "_", with: "\\_") + ".%"]).fetchAll(db)
        where schedule.labels[AutomationTask.competitionLabel] == manifest.name && !wanted.contains(schedule.name) {
            try schedule.delete(db)
        }
    }
}
