/// How a cron expression treats wall times that a daylight-saving shift skips or
/// repeats, as Debian cron does.
enum CronDaylightSavingRule: Sendable, Hashable {
    /// Minute and hour fields both fixed (neither starts with `*`): each matching wall
    /// time fires once. A skipped one fires at the first whole minute after the gap; a
    /// repeated one fires at its first occurrence only.
    case oncePerWallTime
    /// `*` leads the minute or the hour field: fire at every real instant whose wall time
    /// matches, so repeated wall times fire twice and nothing fires inside a gap.
    case everyMatchingInstant
}
