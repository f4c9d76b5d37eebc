/// The steps of a submission's evaluation, each one job in the durable queue.
public enum Stage: String, Sendable, CaseIterable, Codable {
    /// The participant's Python environment, built outside the sandbox where PyPI is reachable.
    case build
    /// The host's train entrypoint calls the participant's Trainer; sandboxed.
    case train
    /// The host's predict entrypoint calls the participant's Predictor on the features only; sandboxed.
    case predict
    /// The host's score entrypoint compares predictions with the labels; no participant code.
    case score

    /// Job labels that tie a job to its stage and submission.
    public static let label = "hekaton.stage"
    public static let submissionLabel = "hekaton.submission"

    /// The submission's state while this stage runs.
    var runningState: Submission.State {
        switch self {
        case .build: .building
        case .train: .training
        case .predict: .predicting
        case .score: .scoring
        }
    }
}
