/// How many jobs of each queue may run at once. A queue without a limit of its own takes
/// `defaultLimit`; nil means no limit beyond the worker pool's size.
public struct QueueLimits: Sendable, Hashable {
    public var defaultLimit: Int?
    public var limits: [String: Int]

    public init(defaultLimit: Int? = nil, limits: [String: Int] = [:]) {
        self.defaultLimit = defaultLimit
        self.limits = limits
    }

    public func limit(for queue: String) -> Int? {
        limits[queue] ?? defaultLimit
    }

    var isUnlimited: Bool { defaultLimit == nil && limits.isEmpty }
}
