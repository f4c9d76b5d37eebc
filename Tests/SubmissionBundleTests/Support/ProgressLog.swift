import SubmissionBundle

/// Collects progress reports from a synchronous callback.
final class ProgressLog {
    private(set) var values: [BundleProgress] = []
    func append(_ value: BundleProgress) { values.append(value) }
}
