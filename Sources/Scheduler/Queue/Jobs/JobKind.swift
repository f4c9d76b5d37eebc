import GRDB

/// What kind of work a job is, stored in `job.kind`: it picks the `JobHandler` that runs the
/// job and records its ending. The queue itself treats every kind alike; the modules that
/// own the work name their kinds (`JobKind.stage` in Pipeline) in extensions.
public struct JobKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, DatabaseValueConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A plain command, run as it is; what every job was before kinds, and the default.
    public static let command = JobKind(rawValue: "command")

    public var description: String { rawValue }
}
