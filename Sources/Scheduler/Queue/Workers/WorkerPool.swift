import Foundation
import GRDB
import Synchronization

/// Claims jobs from a `JobQueue` and runs them on an `Executor`, until its task is
/// cancelled.
///
/// One loop in `run()` does all the database work, one transaction per round: it records
/// the attempts that finished since the last round, claims as many jobs as there are free
/// slots, and on its heartbeat renews leases and rescues expired ones. Under load a round
/// carries many completions and claims, which is how the queue gets past the rate of
/// single-row commits; every one is still committed before its effect is seen. Between
/// rounds it sleeps until an attempt finishes, `wake()` is called, a retry comes due, another
/// owner's lease runs out or, while jobs run, the heartbeat is due; idle, no timer fires
/// until something is due. All of its timing (heartbeat, backoff, time limits) reads and sleeps on
/// the queue's clock, so a test with a `ManualClock` moves the pool's time by hand.
///
/// On cancellation (shutdown) it stops claiming, stops the running attempts (they go back
/// to their queue, the attempt not counted) and returns once they have ended. A database
/// error does the same and is then thrown.
public final class WorkerPool: Sendable {
    /// Runs inside the transaction that records an attempt, for records that must commit
    /// with it (lineage). Throwing rolls back those records, and the attempt is recorded as
    /// failed instead.
    public typealias OutputRecorder = @Sendable (Database, JobCompletion) throws -> Void

    public let queue: JobQueue
    public let executor: any Executor
    public let configuration: WorkerPoolConfiguration
    private let recordOutputs: OutputRecorder?
    private let didFinish: (@Sendable ([JobCompletion]) -> Void)?
    private let didDrain: (@Sendable () -> Void)?
    private let inbox: WorkerInbox
    /// The jobs the start-up rescue adopted, until `run()` starts them; nil before the rescue.
    private let adoptedAtStart = Mutex<[Job]?>(nil)

    /// - Parameters:
    ///   - recordOutputs: Called for each recorded attempt inside its transaction.
    ///   - didFinish: Called after each commit with the attempts it recorded.
    ///   - didDrain: Called when the last running job has been recorded and none is left to
    ///     run, before the pool sleeps; and before its first sleep with nothing running.
    public init(
        queue: JobQueue, executor: any Executor, configuration: WorkerPoolConfiguration,
        recordOutputs: OutputRecorder? = nil, didFinish: (@Sendable ([JobCompletion]) -> Void)? = nil,
        didDrain: (@Sendable () -> Void)? = nil
    ) {
        self.queue = queue
        self.executor = executor
        self.configuration = configuration
        self.recordOutputs = recordOutputs
        self.didFinish = didFinish
        self.didDrain = didDrain
        inbox = WorkerInbox(clock: queue.clock)
    }

    /// Tells the pool to look at the queue now: call it after enqueueing or cancelling.
    public func wake() {
        inbox.wake()
    }

    /// Rescues every lease an earlier daemon process held, at once (a single host knows its
    /// own dead), and records the jobs that ended by it. `run()` does this first unless it was
    /// done; a daemon does it before it says it is ready, so that no client sees a job held by
    /// a process that is gone.
    @discardableResult
    public func rescueEarlierLeases() async throws -> LeaseRescue {
        let owner = configuration.owner
        let leaseSeconds = configuration.leaseDuration.seconds
        let queue = queue
        let (rescue, rescued) = try await transaction { [self] db in
            let rescue = try queue.rescueLeases(db, notOwnedBy: owner, leaseDuration: leaseSeconds)
            return (rescue, try recordRescued(db, rescue))
        }
        if !rescued.isEmpty { didFinish?(rescued) }
        adoptedAtStart.withLock { $0 = ($0 ?? []) + rescue.adopted }
        return rescue
    }

    public func run() async throws {
        if adoptedAtStart.withLock({ $0 == nil }) { try await rescueEarlierLeases() }
        let adopted = adoptedAtStart.withLock { jobs in
            defer { jobs = [] }
            return jobs ?? []
        }
        let failure: (any Error)? = await withDiscardingTaskGroup { group in
            var running: [Int64: ExecutionStop] = [:]
            var elsewhere: [Int64: String] = [:]
            for job in adopted {
                running[job.id] = start(job, in: &group)
                elsewhere[job.id] = elsewhereExecutor(job)
            }
            let failure = await serve(&running, elsewhere: &elsewhere, in: &group)

            // Shutting down, or the database failed: stop what runs and wait for it, then
            // record what can be recorded. What cannot is rescued at the next start.
            for stop in running.values { stop.request(.shutdown) }
            var unrecorded: [FinishedAttempt] = []
            repeat {
                for attempt in inbox.take().finished {
                    running[attempt.lease.jobID] = nil
                    unrecorded.append(attempt)
                }
                if running.isEmpty { break }
                await inbox.wait(until: nil, interruptible: false)
            } while true
            do {
                let finished = unrecorded
                let completions = try await transaction { [self] db in try record(db, finished) }
                if !completions.isEmpty { didFinish?(completions) }
            } catch {
                return failure ?? error
            }
            return failure
        }
        if let failure { throw failure }
    }

    /// What one round found besides the jobs it claimed.
    private struct Round: Sendable {
        var completions: [JobCompletion] = []
        var claimed: [Job] = []
        var cancelRequested: [Int64] = []
        /// After a heartbeat: the running jobs whose lease is still ours.
        var held: Set<Int64>?
        var adopted: [Job] = []
        var nextDue: Date?
        /// When the first lease another owner holds runs out, for it to be rescued then.
        var foreignLeaseExpiry: Date?
        /// Jobs the heartbeat put back in the queue, ready for the next round's claim.
        var requeued = false
    }

    /// The executor with a limit of its own that runs `job` elsewhere, if any: such a job
    /// takes none of the pool's slots.
    private func elsewhereExecutor(_ job: Job) -> String? {
        job.executor.flatMap { configuration.elsewhereLimits[$0] != nil ? $0 : nil }
    }

    /// The pool's loop, until cancelled or a database error (returned). `elsewhere` holds the
    /// running jobs that take no slot of the pool, with their executors.
    private func serve(_ running: inout [Int64: ExecutionStop], elsewhere: inout [Int64: String],
                       in group: inout DiscardingTaskGroup) async -> (any Error)? {
        let owner = configuration.owner
        let leaseSeconds = configuration.leaseDuration.seconds
        let heartbeatSeconds = configuration.heartbeatInterval.seconds
        let queue = queue
        let clock = queue.clock
        var nextHeartbeat = clock.now() + heartbeatSeconds
        // When the first lease another owner holds runs out, as the last round read it: the
        // round after that time beats (rescues it) even before its own heartbeat is due, or
        // the pool, woken for it, would wake again at once until then.
        var foreignLeaseExpiry: Date?
        var unrecorded: [FinishedAttempt] = []
        // Cancels requested while no pool ran are honoured in the first round.
        var checkCancels = true
        // Whether jobs ran when the pool last slept: the first sleep without any is a drain,
        // and so is the pool's first sleep after start-up.
        var ranBeforeSleep = true
        while !Task.isCancelled {
            let mail = inbox.take()
            for attempt in mail.finished {
                running[attempt.lease.jobID] = nil
                elsewhere[attempt.lease.jobID] = nil
            }
            unrecorded += mail.finished
            checkCancels = checkCancels || mail.woken
            let claimLimit = min(configuration.maxConcurrentJobs - (running.count - elsewhere.count), configuration.claimBatchSize)
            var rooms = configuration.elsewhereLimits
            for name in elsewhere.values { rooms[name]! -= 1 }
            let elsewhereRooms = rooms.mapValues { min($0, configuration.claimBatchSize) }
            let elsewhereRoom = elsewhereRooms.values.reduce(0) { $0 + max($1, 0) }
            let foreignDue = foreignLeaseExpiry.map { clock.now() > $0 } ?? false
            let heartbeatIDs = clock.now() >= nextHeartbeat || foreignDue ? Array(running.keys) : nil
            let request = ClaimRequest(
                owner: owner, leaseDuration: leaseSeconds, limit: claimLimit, queueLimits: configuration.queueLimits,
                executorName: executor.name, elsewhereLimits: elsewhereRooms, logDirectory: configuration.logDirectory.path)
            let finished = unrecorded
            let wantsCancels = checkCancels
            let round: Round
            do {
                round = try await transaction { [self] db in
                    var round = Round()
                    round.completions = try record(db, finished)
                    round.claimed = try queue.claim(db, request)
                    if wantsCancels {
                        round.cancelRequested = try queue.cancelRequests(db, owner: owner)
                    }
                    if let heartbeatIDs {
                        let now = queue.clock.now()
                        round.held = try queue.heartbeat(db, owner: owner, jobIDs: heartbeatIDs, until: now + leaseSeconds)
                        let expired = try queue.expireLeases(db, adoptingAs: owner, leaseDuration: leaseSeconds)
                        round.adopted = expired.adopted
                        round.requeued = !expired.requeued.isEmpty
                        round.completions += try recordRescued(db, expired)
                    }
                    if round.claimed.count < claimLimit + elsewhereRoom {
                        round.nextDue = try queue.nextDueDate(db)
                    }
                    round.foreignLeaseExpiry = try queue.nextLeaseExpiry(db, notOwnedBy: owner)
                    return round
                }
            } catch {
                // Handed back, so that shutdown tries to record them once more.
                for attempt in finished { inbox.post(attempt) }
                return error
            }
            unrecorded = []
            checkCancels = false
            foreignLeaseExpiry = round.foreignLeaseExpiry
            if !round.completions.isEmpty { didFinish?(round.completions) }
            // A pool that had nothing running beats a full interval after its first job starts.
            if running.isEmpty && !(round.claimed.isEmpty && round.adopted.isEmpty) { nextHeartbeat = clock.now() + heartbeatSeconds }
            for job in round.claimed + round.adopted {
                running[job.id] = start(job, in: &group)
                elsewhere[job.id] = elsewhereExecutor(job)
            }
            for jobID in round.cancelRequested {
                running[jobID]?.request(.cancel)
            }
            if let held = round.held {
                for jobID in heartbeatIDs ?? [] where !held.contains(jobID) {
                    running[jobID]?.request(.leaseLost)
                }
                nextHeartbeat = clock.now() + heartbeatSeconds
            }
            // A kind of slot filled to its room means more may be ready: go round again without sleeping.
            let claimedElsewhere = Dictionary(grouping: round.claimed.compactMap(elsewhereExecutor), by: { $0 }).mapValues(\.count)
            if claimLimit > 0 && round.claimed.count - claimedElsewhere.values.reduce(0, +) == claimLimit { continue }
            if elsewhereRooms.contains(where: { $0.value > 0 && claimedElsewhere[$0.key] == $0.value }) { continue }
            if round.requeued { continue }
            // The heartbeat is due only while jobs run; an idle pool sleeps until a job comes
            // due or another owner's lease runs out (a millisecond past it, so that it has),
            // and otherwise until it is woken: no timer fires while nothing is due.
            if running.isEmpty && unrecorded.isEmpty && ranBeforeSleep { didDrain?() }
            ranBeforeSleep = !running.isEmpty
            let heartbeat = running.isEmpty ? nil : nextHeartbeat
            let deadline = [heartbeat, round.nextDue, round.foreignLeaseExpiry.map { $0 + 0.001 }].compactMap { $0 }.min()
            await inbox.wait(until: deadline, interruptible: true)
        }
        return nil
    }

    /// Records finished attempts; each with its outputs, when there is a recorder.
    private func record(_ db: Database, _ finished: [FinishedAttempt]) throws -> [JobCompletion] {
        var completions: [JobCompletion] = []
        completions.reserveCapacity(finished.count)
        for attempt in finished {
            guard let outcome = attempt.outcome else { continue }
            guard let recordOutputs else {
                if let state = try queue.finish(db, lease: attempt.lease, outcome: outcome) {
                    completions.append(JobCompletion(attempt.job, lease: attempt.lease, state: state, outcome: outcome))
                }
                continue
            }
            var completion: JobCompletion?
            do {
                try db.inSavepoint {
                    if let state = try queue.finish(db, lease: attempt.lease, outcome: outcome) {
                        completion = JobCompletion(attempt.job, lease: attempt.lease, state: state, outcome: outcome)
                        try recordOutputs(db, completion!)
                    }
                    return .commit
                }
            } catch {
                let failed = JobOutcome.couldNotRun(ExecutionError(
                    .outputsNotRecorded, "the job ran, but recording its outputs failed: \(error)"))
                completion = try queue.finish(db, lease: attempt.lease, outcome: failed).map {
                    JobCompletion(attempt.job, lease: attempt.lease, state: $0, outcome: failed)
                }
                // Its last attempt: the recorder learns that the job ended, as it would of any failure.
                if let completion, completion.state.isFinal { recordEnding(db, completion) }
            }
            if let completion { completions.append(completion) }
        }
        return completions
    }

    /// Jobs a rescue ended (their interrupted attempt was the last, or a cancel was pending)
    /// are recorded as any ending is, so that what waits on them (a submission, a retraining
    /// round, an ingestion) learns that they ended.
    private func recordRescued(_ db: Database, _ rescue: LeaseRescue) throws -> [JobCompletion] {
        var completions: [JobCompletion] = []
        for (ids, state) in [(rescue.dead, JobState.dead), (rescue.cancelled, JobState.cancelled)] {
            for id in ids {
                guard let job = try Job.fetchOne(db, key: id) else { continue }
                let completion = JobCompletion(
                    job, lease: Lease(jobID: id, owner: configuration.owner, attempt: job.attempt), state: state,
                    outcome: .couldNotRun(ExecutionError(.lost, job.error ?? "its attempt was interrupted")))
                recordEnding(db, completion)
                completions.append(completion)
            }
        }
        return completions
    }

    /// Records a job that ended without its attempt being recorded as it ran; a recorder that
    /// fails leaves it ended without its records.
    private func recordEnding(_ db: Database, _ completion: JobCompletion) {
        guard let recordOutputs else { return }
        try? db.inSavepoint {
            try recordOutputs(db, completion)
            return .commit
        }
    }

    /// Starts one attempt as a child task; returns how to stop it.
    private func start(_ job: Job, in group: inout DiscardingTaskGroup) -> ExecutionStop {
        let stop = ExecutionStop()
        let lease = job.lease ?? Lease(jobID: job.id, owner: configuration.owner, attempt: job.attempt)
        group.addTask { [self] in
            let outcome = await attempt(job, lease: lease, stop: stop)
            inbox.post(FinishedAttempt(lease: lease, job: job, outcome: outcome))
        }
        return stop
    }

    private enum AttemptEvent: Sendable {
        case ended(JobOutcome?)
        case timerDone
    }

    /// Runs the executor, and a timer beside it when the job has a time limit.
    private func attempt(_ job: Job, lease: Lease, stop: ExecutionStop) async -> JobOutcome? {
        let writer = queue.writer
        let context = ExecutionContext(
            // isDirectory spares a stat per job on Linux.
            logURL: job.logPath.map { URL(fileURLWithPath: $0, isDirectory: false) }
                ?? configuration.logDirectory.appendingPathComponent("job-\(job.id).log", isDirectory: false),
            stop: stop,
            // Clamped: a row written before timeouts were range-checked must not trap here.
            timeout: job.timeoutSeconds.map { Duration.seconds(min(max($0, 0), JobSpec.maxTimeoutSeconds)) },
            externalID: job.externalID,
            recordExternalID: { [queue] externalID, executor in
                _ = try await writer.write { db in try queue.recordExternalID(db, externalID, executor: executor, for: lease) }
            })
        guard let timeout = context.timeout else {
            return await execute(job, context)
        }
        // Read before the executor starts, so that a test clock moved once the job runs is past it.
        let deadline = queue.clock.now() + timeout.seconds
        let clock = queue.clock
        return await withTaskGroup(of: AttemptEvent.self) { group in
            group.addTask { .ended(await self.execute(job, context)) }
            group.addTask {
                // Cancelled when the attempt ends first, or when the pool shuts down.
                if (try? await clock.sleep(until: deadline)) != nil, !Task.isCancelled { stop.request(.timeout) }
                return .timerDone
            }
            var outcome: JobOutcome?
            while let event = await group.next() {
                if case .ended(let ended) = event {
                    outcome = ended
                    group.cancelAll()
                }
            }
            return outcome
        }
    }

    private func execute(_ job: Job, _ context: ExecutionContext) async -> JobOutcome? {
        do throws(ExecutionError) {
            return .ran(try await executor.run(job, context: context))
        } catch {
            return error.code == .detached ? nil : .couldNotRun(error)
        }
    }

    /// A write transaction the pool's cancellation cannot interrupt. GRDB aborts the writes
    /// of a cancelled task; a round must commit whole or not at all, and the pool must still
    /// record its attempts while it shuts down.
    private func transaction<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let writer = queue.writer
        return try await Task { try await writer.write(work) }.value
    }
}
