import Execution
import Foundation
import Images
import Scheduler

extension PipelineExecutor {
    /// After an image build: its record, or, when it failed, what it left removed and the
    /// participant told which Dockerfile line failed (or that it ran over its time).
    func imageBuilt(_ prepared: PreparedStage, _ result: ExecutionResult, outOfMemory: String?, submissionID: Int64,
                    context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<StageOutput> {
        let store = EnvironmentBuild.store(layout)
        var unrecorded: String?
        if result.succeeded, outOfMemory == nil, let key = ImageBuild.key(of: prepared.argv) {
            let output = try await blocking { () throws(ExecutionError) -> StageOutput? in
                do {
                    return try store.environment(key: key).map(StageOutput.built)
                } catch {
                    return .unusable("the record of environment \(key) is unreadable: \(error)")
                }
            }
            if let output { return HandledAttempt(result, output: output) }
            // A build's unit stopped by a signal ends "successfully" for systemd-run: no record, no image.
            unrecorded = "the environment build ended without recording environment \(key); see `hekatonctl logs \(submissionID) --stage build`"
        }
        // A killed build (time, memory) could not clean up after itself.
        if let clean = ImageBuild.cleanArgv(prepared.argv) {
            let cleaned = try? await ToolCommand.run(clean)
            if let cleaned, cleaned.status != 0 {
                JobLog.note("removing what the failed build left failed: \(cleaned.stderr.suffix(2000))", to: context.logURL)
            }
        }
        let log = await Self.tail(context.logURL)
        let message = unrecorded ?? (outOfMemory != nil
            ? "the environment build ran out of memory (limit \(prepared.limits.memoryBytes >> 20) MiB, images.build.memory in hekaton.yaml); see `hekatonctl logs \(submissionID) --stage build`"
            : EnvironmentBuild.failure(argv: prepared.argv, log: log, result: result, submissionID: submissionID, limits: prepared.limits))
        JobLog.note(message, to: context.logURL)
        return HandledAttempt(result, output: .unusable(message))
    }

    /// The end of a job's log, where buildah says which step failed.
    static func tail(_ url: URL, bytes: Int = 64 << 10) async -> String {
        (try? await BlockingWork.run { () -> String in
            guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
            defer { try? handle.close() }
            let end = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: end > UInt64(bytes) ? end - UInt64(bytes) : 0)
            return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        }) ?? ""
    }
}
