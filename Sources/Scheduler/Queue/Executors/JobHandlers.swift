import GRDB

/// The executor of a worker pool whose jobs have kinds: each job runs on the handler of its
/// kind, and `record` (the pool's `OutputRecorder`) hands its ending to the same handler.
/// Plain commands run on `commands`. A kind without a handler (a row written by a newer
/// daemon) is refused, never run as something else.
public struct JobHandlers: Executor {
    public var name: String { commands.name }
    /// Runs jobs of kind `command`, and names the pool's executor.
    public let commands: any Executor
    private let handlers: [JobKind: any JobHandler]

    public init(commands: any Executor, handlers: [any JobHandler]) {
        self.commands = commands
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }) { _, last in last }
    }

    public func run(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        if job.kind == .command { return try await commands.run(job, context: context) }
        guard let handler = handlers[job.kind] else {
            throw ExecutionError(.refused, "job \(job.id) is of kind '\(job.kind)', which this daemon does not know how to run")
        }
        return try await Self.run(handler, job, context)
    }

    private static func run<Handler: JobHandler>(_ handler: Handler, _ job: Job,
                                                 _ context: ExecutionContext) async throws(ExecutionError) -> ExecutionResult {
        let attempt = try await handler.run(job, context: context)
        var result = attempt.result
        result.output = attempt.output
        return result
    }

    /// Records a job's ending with its handler, inside the transaction that finishes it.
    public func record(_ db: Database, _ completion: JobCompletion) throws {
        guard let job = try Job.fetchOne(db, key: completion.jobID) else { return }
        if completion.state == .dead {
            // For hosts: a participant hears of their stage through their submission's event.
            try Event.record(db, .jobDead, competition: job.labels["hekaton.competition"],
                             message: "job \(job.id) (\(job.kind.rawValue), queue \(job.queue)) is dead after \(job.attempt) attempt(s)\(job.error.map { ": \($0)" } ?? "")",
                             data: ["job": "\(job.id)", "kind": job.kind.rawValue])
        }
        guard let handler = handlers[job.kind] else { return }
        try Self.record(handler, db, completion, job)
    }

    private static func record<Handler: JobHandler>(_ handler: Handler, _ db: Database, _ completion: JobCompletion, _ job: Job) throws {
        var output: Handler.Output?
        if case .ran(let result) = completion.outcome { output = result.output as? Handler.Output }
        try handler.record(db, completion, job: job, output: output)
    }
}
