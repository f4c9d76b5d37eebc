import Foundation
import Scheduler

/// Runs a job as a child process of the daemon, in its own process group, its output
/// appended to the job's log, its exit status and resource use recorded.
///
/// A timeout or cancel ends the whole group: SIGTERM, then SIGKILL after the grace period.
/// A child cannot outlive a daemon restart in any useful way, so it has no external id and
/// cannot be re-attached.
public struct LocalExecutor: Executor {
    public let name = "local"
    public let configuration: LocalExecutorConfiguration

    public init(configuration: LocalExecutorConfiguration = LocalExecutorConfiguration()) {
        self.configuration = configuration
    }

    public func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        if let externalID = context.externalID {
            throw ExecutionError(.cannotReattach,
                                 "job \(job.id) ran under the external id '\(externalID)', which the local executor cannot re-attach to")
        }
        guard let program = job.argv.first else {
            throw ExecutionError(.executableNotFound, "job \(job.id) has no command")
        }
        var environment = configuration.baseEnvironment.merging(job.environment) { _, own in own }
        environment["HEKATON_JOB_ID"] = String(job.id)
        environment["HEKATON_JOB_ATTEMPT"] = String(job.attempt)
        let workingDirectory = job.workingDirectory ?? configuration.workingDirectory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: workingDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ExecutionError(.workingDirectoryNotFound, "the working directory '\(workingDirectory)' does not exist or is not a directory")
        }
        let executable = try ExecutableSearch.resolve(program, searchPath: environment["PATH"], workingDirectory: workingDirectory)

        let log = try Self.openLog(context.logURL)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: executable, argv: job.argv, environment: environment, workingDirectory: workingDirectory,
                output: log)
            close(log)
        } catch {
            close(log)
            throw error
        }
        let grace = configuration.gracePeriod
        context.stop.onRequest { reason in child.stop(reason, grace: grace) }
        // The log is watched while the job runs, so that no job can fill the disk through it.
        let capped = configuration.maxLogBytes.map { limit in
            let path = context.logURL.path
            return Task {
                while !Task.isCancelled {
                    try? await Timers.sleep(for: .milliseconds(250))
                    _ = try? await BlockingWork.run { LogCap.enforce(path: path, maxBytes: limit) }
                }
            }
        }
        let exit = await child.exit()
        capped?.cancel()
        if let limit = configuration.maxLogBytes {
            let path = context.logURL.path
            _ = try? await BlockingWork.runWhole { LogCap.enforce(path: path, maxBytes: limit) }
        }
        guard let exit else {
            throw ExecutionError(.lost, "the exit status of job \(job.id) (pid \(child.pid)) was lost: something else in the daemon reaped the child")
        }
        return exit.result
    }

    /// Opened for appending, so every attempt's output stays in one file, in order.
    static func openLog(_ url: URL) throws(ExecutionError) -> Int32 {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ExecutionError(.logUnavailable, "cannot create the log directory \(directory.path): \(error.localizedDescription)")
        }
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw ExecutionError(.logUnavailable, "cannot open the log file \(url.path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}
