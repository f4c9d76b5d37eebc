import Foundation

/// What an automation task's job produced, written by the executor next to its files and
/// read by the recorder inside the transaction that finishes the job.
struct TaskResult: Codable, Sendable {
    // ingest
    var rootDigest: String?
    var files: Int64?
    var bytes: Int64?
    var source: String?
    // artifact
    var modelID: Int64?
    var submissionID: Int64?
    var datasetVersionID: Int64?
    var artifactDigest: String?
    var ociDigest: String?
    var ociManifestDigest: String?
    var ociReference: String?
    var error: String?

    static func directory(_ layout: PipelineLayout, _ task: AutomationTask, job: Int64) -> String {
        layout.stateDirectory + "/runs/\(task.rawValue)-\(job)"
    }

    static func path(_ layout: PipelineLayout, _ task: AutomationTask, job: Int64) -> String {
        directory(layout, task, job: job) + "/result.json"
    }

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(_ path: String) -> TaskResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(TaskResult.self, from: data)
    }
}
