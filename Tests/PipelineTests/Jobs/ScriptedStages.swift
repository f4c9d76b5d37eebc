import Foundation
import GRDB
@testable import Pipeline
import Scheduler
import Synchronization

/// An executor in place of the sandbox: it plays each stage as the test's script says,
/// writing what the host's entrypoints would (a model, predictions, metrics.json) where the
/// stage's sandbox would have them, and spawns nothing.
final class ScriptedStages: Executor, Sendable {
    enum Play: Sendable {
        /// Exits 0, having written its outputs; a score stage writes this value.
        case succeed(score: Double)
        /// Exits 0 having written nothing.
        case leaveNothing
        /// Exits with this status.
        case exit(Int32)
    }

    let name: String
    let layout: PipelineLayout
    private let script: @Sendable (Stage, Submission.Kind) -> Play
    private let database: any DatabaseReader
    private let seen = Mutex<[(stage: Stage, argv: [String], resources: ExecutionResources)]>([])

    init(name: String, layout: PipelineLayout, database: any DatabaseReader, script: @escaping @Sendable (Stage, Submission.Kind) -> Play) {
        self.name = name
        self.layout = layout
        self.database = database
        self.script = script
    }

    /// The stages run so far, in order, with the command and resources each was given.
    var ran: [(stage: Stage, argv: [String], resources: ExecutionResources)] { seen.withLock { $0 } }

    /// What a played artifact writes: this many bytes no other build has.
    let artifactBytes = Mutex(4096)

    func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        if job.labels[AutomationTask.label] == AutomationTask.artifact.rawValue {
            return try playArtifact(job)
        }
        guard let stage = job.labels[Stage.label].flatMap(Stage.init(rawValue:)),
              let id = job.labels[Stage.submissionLabel].flatMap(Int64.init),
              let kind = try? await database.read({ db in try Submission.fetchOne(db, key: id)?.kind }) else {
            throw ExecutionError(.spawnFailed, "the scripted executor plays stages only")
        }
        seen.withLock { $0.append((stage, job.argv, context.resources)) }
        switch script(stage, kind) {
        case .exit(let status):
            return ExecutionResult(termination: .exited(status))
        case .leaveNothing:
            return ExecutionResult(termination: .exited(0))
        case .succeed(let score):
            let written: (String, String)? = switch stage {
            case .build: nil
            case .train: (layout.path(id, "model"), "weights.txt")
            case .predict: (layout.path(id, "predictions"), "predictions.jsonl")
            case .score: (layout.scoreDirectory(id) + "/score", "metrics.json")
            }
            if let (directory, file) = written {
                let content = stage == .score ? #"{"metric": "recall@10", "value": \#(score)}"# : "\(stage.rawValue) of submission \(id)\n"
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/" + file))
                } catch {
                    throw ExecutionError(.spawnFailed, "the scripted \(stage.rawValue) stage could not write: \(error)")
                }
            }
            return ExecutionResult(termination: .exited(0))
        }
    }

    /// The host's artifact entrypoint: a file into the build's output directory.
    private func playArtifact(_ job: Job) throws(ExecutionError) -> ExecutionResult {
        let output = layout.taskDirectory(.artifact, job: job.id) + "/output"
        let bytes = artifactBytes.withLock { $0 }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try PipelineJobsFixture.randomData(bytes).write(to: URL(fileURLWithPath: output + "/serving.bin"))
        } catch {
            throw ExecutionError(.spawnFailed, "the scripted artifact could not write: \(error)")
        }
        return ExecutionResult(termination: .exited(0))
    }
}
