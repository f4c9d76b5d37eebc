/// The outcome of registering data under a dataset name.
public enum DatasetRegistration: Sendable, Hashable {
    /// A new version was recorded.
    case created(DatasetVersion)
    /// The latest version already has exactly this content; nothing was recorded.
    case unchanged(DatasetVersion)

    public var version: DatasetVersion {
        switch self {
        case .created(let version), .unchanged(let version): version
        }
    }
}
