/// Which jobs `JobQueue.list` returns, newest first.
public struct JobFilter: Sendable, Hashable {
    /// Any state when empty.
    public var states: Set<JobState>
    public var queue: String?
    public var scheduleName: String?
    /// Jobs carrying every one of these labels.
    public var labels: [String: String]
    /// Only ids below this one, to page through a long list.
    public var beforeID: Int64?
    public var limit: Int

    public init(
        states: Set<JobState> = [], queue: String? = nil, scheduleName: String? = nil, labels: [String: String] = [:],
        beforeID: Int64? = nil, limit: Int = 100
    ) {
        self.states = states
        self.queue = queue
        self.scheduleName = scheduleName
        self.labels = labels
        self.beforeID = beforeID
        self.limit = limit
    }
}
