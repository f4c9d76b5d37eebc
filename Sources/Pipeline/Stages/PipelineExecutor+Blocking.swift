import Execution
import Scheduler

extension PipelineExecutor {
    /// Runs a job's file and hashing work (materializing inputs, snapshotting outputs, tar)
    /// on the blocking pool, not on the cooperative threads the worker pool's tasks share.
    /// It runs whole even while the pool shuts down, as it did inline: a stage is prepared,
    /// then stopped, and so put back without its attempt counted.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(ExecutionError) -> T) async throws(ExecutionError) -> T {
        do {
            return try await BlockingWork.runWhole { try work() }
        } catch let error as ExecutionError {
            throw error
        } catch {
            throw ExecutionError(.spawnFailed, "\(error)")
        }
    }
}
