import Cron
import Foundation
import Scheduler

/// The jobs the automation loop runs for a competition, besides a submission's stages. Each
/// is a job in the durable queue, fired by the competition's schedules (or `schedule run`).
public enum AutomationTask: String, Sendable, CaseIterable, Codable {
    /// Snapshot the dataset's source into a new version, if its content changed.
    case ingest
    /// Retrain the champion on the latest data, whether or not it is new.
    case retrain
    /// Rebuild the competition's artifact from the production model.
    case artifact

    public static let label = "hekaton.task"
    public static let competitionLabel = "hekaton.competition"
    public static let timeZoneLabel = "hekaton.time_zone"

    /// The name of a competition's schedule for this task: `pococha.ingest`.
    public func scheduleName(_ competition: String) -> String { "\(competition).\(rawValue)" }

    /// The kind of the task's jobs, which share its name.
    public var kind: JobKind { JobKind(rawValue: rawValue) }

    /// What a job of this task that ended without success records as its error.
    func endingError(_ job: Job, _ completion: JobCompletion) -> String {
        job.error ?? "the \(rawValue) job ended \(completion.state.rawValue); see `hekatonctl job logs \(job.id)`"
    }
}

/// The instant a scheduled job stands for (its logical time), and that instant as a date in
/// the schedule's zone, which tags the day's dataset version.
public struct LogicalTime: Sendable, Equatable {
    public var instant: Date
    public var timeZone: TimeZone

    public init(instant: Date, timeZone: TimeZone) {
        self.instant = instant
        self.timeZone = timeZone
    }

    /// From a job's labels: the schedule's instant (or the job's creation) in its zone.
    public init(job labels: [String: String], createdAt: Date) {
        instant = labels[ScheduleBook.instantLabel].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? createdAt
        timeZone = labels[AutomationTask.timeZoneLabel].flatMap { try? CronExpression.timeZone(named: $0) }
            ?? TimeZone(identifier: "UTC")!
    }

    /// `2026-11-29`.
    public var date: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
