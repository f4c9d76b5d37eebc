import Execution
import Foundation
import Scheduler

/// Runs jobs on a Slurm cluster: submits each attempt with `sbatch` (a batch script that
/// runs the same command, with the same clean environment, as the local executor would),
/// follows it with `scontrol` (and `sacct` where accounting keeps finished jobs), cancels
/// it with `scancel`, and reads its exit status. The job's log is on the state directory,
/// which the cluster's nodes share; the daemon stays the only writer of the database.
///
/// The Slurm job id is recorded on the job as soon as `sbatch` answers. On the daemon's
/// shutdown the job keeps running (`detached`) and a restarted daemon re-attaches by that
/// id. While the controller cannot be reached, submitting and following back off and try
/// again, saying so in the job's log and state, within the job's time limit.
public struct SlurmExecutor: Executor {
    public let name = "slurm"
    public let configuration: SlurmConfiguration
    /// Where `status` and `job show` read the Slurm state of each job.
    public let board: ClusterJobBoard
    let baseEnvironment: [String: String]
    let control: SlurmControl

    public init(configuration: SlurmConfiguration = SlurmConfiguration(), board: ClusterJobBoard = ClusterJobBoard(),
                baseEnvironment: [String: String] = LocalExecutorConfiguration.inheritedEnvironment()) {
        self.configuration = configuration
        self.board = board
        self.baseEnvironment = baseEnvironment
        control = SlurmControl(configuration: configuration)
    }

    /// Runs one attempt of `job` with `context.resources` asked of the node (`--mem`, `--cpus-per-task`, `--gres`).
    public func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        let latch = StopLatch()
        context.stop.onRequest { _ in latch.fire() }
        let attempt = Attempt(executor: self, job: job, context: context, latch: latch)
        let slurmID: String
        if let existing = context.externalID {
            slurmID = existing
            attempt.note("re-attached to Slurm job \(existing) after the daemon restarted")
            attempt.show(existing, "RE-ATTACHING")
        } else {
            let batch = SlurmBatchJob(
                jobID: job.id, attempt: job.attempt, argv: job.argv,
                environment: baseEnvironment.merging(job.environment) { _, own in own },
                workingDirectory: job.workingDirectory ?? "/", logPath: context.logURL.path, timeout: context.timeout,
                resources: context.resources, configuration: configuration)
            guard let submitted = try await attempt.submit(batch) else {
                return ExecutionResult(termination: .signalled(SIGTERM), stoppedBy: context.stop.reason)
            }
            slurmID = submitted
        }
        return try await attempt.follow(slurmID)
    }
}

/// One attempt's conversation with Slurm.
private struct Attempt {
    let executor: SlurmExecutor
    let job: Job
    let context: ExecutionContext
    let latch: StopLatch
    let started = ContinuousClock.now

    var configuration: SlurmConfiguration { executor.configuration }
    var control: SlurmControl { executor.control }

    func note(_ message: String) {
        JobLog.note(message, to: context.logURL)
    }

    func show(_ slurmID: String?, _ state: String, _ detail: String? = nil) {
        executor.board.update(job.id, executor: executor.name, externalID: slurmID, state: state, detail: detail)
    }

    /// Submits until Slurm answers with an id (nil when a stop came first); a refusal is
    /// the attempt's error, with Slurm's own words.
    func submit(_ batch: SlurmBatchJob) async throws(ExecutionError) -> String? {
        var backoff = ControllerBackoff(configuration)
        show(nil, "SUBMITTING")
        while context.stop.reason == nil {
            // After an sbatch without an answer, Slurm may have taken the job all the same.
            var answer: SlurmControl.Answer<String>
            switch backoff.isReset ? .done(nil) : try await control.find(batch) {
            case .done(let found?): answer = .done(found)
            case .done(nil), .refused, .unknownJob: answer = try await control.submit(batch)
            case .unreachable(let message): answer = .unreachable(message)
            }
            switch answer {
            case .done(let id):
                do {
                    try await context.recordExternalID(id, executor.name)
                } catch {
                    _ = try? await control.cancel(id)
                    throw ExecutionError(.spawnFailed, "submitted as Slurm job \(id) but could not record it, so it was cancelled: \(error)")
                }
                note("submitted to Slurm as job \(id)" + (batch.request.isEmpty ? "" : " (\(batch.request))"))
                show(id, "PENDING")
                return id
            case .refused(let message):
                let text = "sbatch rejected the job: \(message)"
                note(text)
                show(nil, "REJECTED", message)
                throw ExecutionError(.rejected, text)
            case .unknownJob:
                throw ExecutionError(.rejected, "sbatch rejected the job: invalid job id")
            case .unreachable(let message):
                let wait = backoff.next()
                let text = "the Slurm controller is unreachable (\(message)); the job is not submitted yet, trying again in \(wait.formatted)"
                if backoff.isFirst { note(text) }
                show(nil, "UNREACHABLE", text)
                await latch.pause(wait)
            }
        }
        return nil
    }

    /// Follows the Slurm job to its end, a stop, or the daemon's shutdown (detached).
    func follow(_ slurmID: String) async throws(ExecutionError) -> ExecutionResult {
        var interval = configuration.pollInterval
        var backoff = ControllerBackoff(configuration)
        var lastState: String?
        var lostSince: ContinuousClock.Instant?
        while true {
            if let reason = context.stop.reason {
                if reason == .shutdown {
                    note("hekatond is stopping; Slurm job \(slurmID) keeps running and is re-attached when it starts again")
                    throw ExecutionError(.detached, "Slurm job \(slurmID) keeps running while the daemon is down")
                }
                return await stop(slurmID, reason)
            }
            switch try await control.status(slurmID) {
            case .done(let status):
                lostSince = nil
                if !backoff.isReset {
                    note("the Slurm controller answers again")
                    backoff = ControllerBackoff(configuration)
                }
                if status.summary != lastState {
                    lastState = status.summary
                    show(slurmID, status.summary)
                    if status.state != "PENDING" || status.reason != "None" {
                        note("Slurm job \(slurmID) is \(status.summary)\(status.nodes.map { " on \($0)" } ?? "")")
                    }
                }
                if status.hasEnded { return try ended(slurmID, status) }
                if status.cannotStart {
                    let text = "Slurm cannot run job \(slurmID) as asked: \(status.summary); it was cancelled"
                    _ = await stop(slurmID, .cancel)
                    note(text)
                    show(slurmID, status.summary, text)
                    throw ExecutionError(.rejected, text)
                }
                interval = min(interval * 2, configuration.maxPollInterval)
                await latch.pause(interval)
            case .unknownJob:
                // A job just submitted is known at once; give a busy controller one more look.
                if let lostSince, lostSince.duration(to: .now) > configuration.maxPollInterval * 2 {
                    let text = "Slurm no longer knows job \(slurmID) (it was lost, or forgotten after it ended); the attempt failed and is retried under the job's retry rules"
                    note(text)
                    show(slurmID, "LOST", text)
                    throw ExecutionError(.lost, text)
                }
                lostSince = lostSince ?? .now
                await latch.pause(configuration.maxPollInterval)
            case .unreachable(let message), .refused(let message):
                let wait = backoff.next()
                let text = "cannot reach the Slurm controller about job \(slurmID) (\(message)); trying again in \(wait.formatted)"
                if backoff.isFirst { note(text) }
                show(slurmID, "UNREACHABLE", text)
                await latch.pause(wait)
            }
        }
    }

    /// How Slurm's end of the job becomes the attempt's result or error.
    func ended(_ slurmID: String, _ status: SlurmJobStatus) throws(ExecutionError) -> ExecutionResult {
        let wall = started.duration(to: .now)
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        let termination: ExecutionResult.Termination = status.signal != 0 ? .signalled(status.signal) : .exited(status.exitCode)
        switch status.state {
        case "COMPLETED", "FAILED":
            return ExecutionResult(termination: termination, wallSeconds: wallSeconds)
        case "OUT_OF_MEMORY":
            note("Slurm job \(slurmID) ran out of memory (its --mem)")
            return ExecutionResult(termination: status.signal != 0 ? termination : .signalled(SIGKILL), wallSeconds: wallSeconds)
        case "TIMEOUT":
            note("Slurm job \(slurmID) reached its --time limit")
            return ExecutionResult(termination: .signalled(SIGTERM), wallSeconds: wallSeconds, stoppedBy: .timeout)
        case "CANCELLED":
            let reason = status.reason.flatMap { $0 == "None" ? nil : "; \($0)" } ?? ""
            let text = "Slurm job \(slurmID) was cancelled outside Hekaton (scancel\(reason)): state CANCELLED"
            note(text)
            throw ExecutionError(.rejected, text)
        default:
            let text = "Slurm job \(slurmID) ended \(status.summary)\(status.nodes.map { " on \($0)" } ?? ""); the attempt failed and is retried under the job's retry rules"
            note(text)
            throw ExecutionError(.lost, text)
        }
    }

    /// Cancels the Slurm job for a cancel, timeout or lost lease, and waits until it is gone.
    func stop(_ slurmID: String, _ reason: ExecutionStop.Reason) async -> ExecutionResult {
        note("cancelling Slurm job \(slurmID) (\(reason.rawValue)) with scancel")
        show(slurmID, "CANCELLING")
        let deadline = ContinuousClock.now + configuration.cancelDeadline
        var backoff = ControllerBackoff(configuration)
        var final: SlurmJobStatus?
        var delivered = false
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if !delivered {
                switch (try? await control.cancel(slurmID)) ?? .unreachable("scancel could not run") {
                case .done, .unknownJob: delivered = true
                case .refused(let message), .unreachable(let message):
                    if backoff.isReset { note("scancel \(slurmID) failed (\(message)); trying again") }
                }
            }
            if delivered {
                let answer = (try? await control.status(slurmID)) ?? .unknownJob
                if case .done(let status) = answer, !status.hasEnded {
                    // scancel sent SIGTERM; Slurm sends SIGKILL after its KillWait.
                } else {
                    if case .done(let status) = answer { final = status }
                    break
                }
            }
            try? await Timers.sleep(for: delivered ? configuration.pollInterval : backoff.next())
        }
        if let final {
            show(slurmID, final.summary)
        } else if !delivered {
            note("could not cancel Slurm job \(slurmID) within \(configuration.cancelDeadline.formatted); it may still run on the cluster: scancel \(slurmID)")
            show(slurmID, "CANCEL FAILED", "scancel \(slurmID) could not be delivered")
        }
        let wall = started.duration(to: .now)
        let termination: ExecutionResult.Termination = final.map { $0.signal != 0 ? .signalled($0.signal) : .exited($0.exitCode) }
            ?? .signalled(SIGTERM)
        return ExecutionResult(termination: termination == .exited(0) ? .signalled(SIGTERM) : termination,
                               wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18,
                               stoppedBy: reason)
    }
}

/// Pauses between tries while the controller is out of reach: the poll interval doubling up
/// to `maxControllerBackoff`.
private struct ControllerBackoff {
    let first: Duration
    let limit: Duration
    private(set) var tries = 0

    init(_ configuration: SlurmConfiguration) {
        first = max(configuration.maxPollInterval, .seconds(1))
        limit = configuration.maxControllerBackoff
    }

    var isReset: Bool { tries == 0 }
    /// True right after the first `next()`: the moment to tell the user.
    var isFirst: Bool { tries == 1 }

    mutating func next() -> Duration {
        tries += 1
        return min(first * (1 << min(tries - 1, 10)), limit)
    }
}

extension Duration {
    var formatted: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) * 1e-18
        return seconds < 1 ? "\(Int(seconds * 1000)) ms" : String(format: "%g s", seconds)
    }
}
