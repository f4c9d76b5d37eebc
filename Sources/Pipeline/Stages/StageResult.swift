import Foundation

/// What a stage produced, written by the executor next to the stage's files and read by the
/// recorder inside the transaction that finishes the job.
struct StageResult: Codable, Sendable {
    var modelDigest: String?
    var predictionsDigest: String?
    var score: Double?
    var metric: String?
    var error: String?

    static func path(_ layout: PipelineLayout, submission: Int64, stage: Stage) -> String {
        layout.path(submission, "\(stage.rawValue)-result.json")
    }

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(_ path: String) -> StageResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(StageResult.self, from: data)
    }
}
