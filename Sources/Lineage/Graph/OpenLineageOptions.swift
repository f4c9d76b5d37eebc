/// Where OpenLineage events say they come from.
public struct OpenLineageOptions: Sendable, Hashable {
    /// The namespace of every job and dataset, such as `hekaton://host.example.org`.
    public var namespace: String
    /// A URI naming the software that produced the events, with its version.
    public var producer: String

    public init(namespace: String = "hekaton", producer: String) {
        self.namespace = namespace
        self.producer = producer
    }
}
