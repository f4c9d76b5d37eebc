/// An OpenLineage run event (https://openlineage.io/spec/), as Hekaton emits it.
public struct OpenLineageRunEvent: Codable, Sendable, Hashable {
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    public enum EventType: String, Codable, Sendable {
        case start = "START", complete = "COMPLETE", abort = "ABORT", fail = "FAIL"
    }

    public struct Run: Codable, Sendable, Hashable {
        public var runId: String
    }

    public struct Job: Codable, Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var facets: JobFacets
    }

    public struct JobFacets: Codable, Sendable, Hashable {
        public var jobType: JobTypeFacet
    }

    /// OpenLineage's standard job-type facet: batch work integrated by Hekaton.
    public struct JobTypeFacet: Codable, Sendable, Hashable {
        public static let schemaURL = "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
        public var _producer: String
        public var _schemaURL: String
        public var processingType: String
        public var integration: String
        public var jobType: String
    }

    public struct Dataset: Codable, Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var facets: DatasetFacets
    }

    public struct DatasetFacets: Codable, Sendable, Hashable {
        public var version: VersionFacet?
    }

    /// OpenLineage's standard dataset-version facet, carrying the content digest.
    public struct VersionFacet: Codable, Sendable, Hashable {
        public static let schemaURL = "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet"
        public var _producer: String
        public var _schemaURL: String
        public var datasetVersion: String
    }

    public var eventType: EventType
    public var eventTime: String
    public var run: Run
    public var job: Job
    public var inputs: [Dataset]
    public var outputs: [Dataset]
    public var producer: String
    public var schemaURL: String
}
