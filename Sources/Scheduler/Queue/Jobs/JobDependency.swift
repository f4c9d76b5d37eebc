import GRDB

/// One edge of the dependency graph: `jobID` runs only after `dependsOn` succeeded.
public struct JobDependency: Codable, Sendable, Hashable, FetchableRecord, TableRecord {
    public static let databaseTableName = "job_dependency"

    public var jobID: Int64
    public var dependsOn: Int64

    public init(jobID: Int64, dependsOn: Int64) {
        self.jobID = jobID
        self.dependsOn = dependsOn
    }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case jobID = "job_id"
        case dependsOn = "depends_on"
    }
}
