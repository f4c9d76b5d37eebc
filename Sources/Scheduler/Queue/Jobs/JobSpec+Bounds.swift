import Foundation

/// What a job may ask for. Every number and string of a spec comes from a request, a
/// manifest or a schedule, so each is checked here before it reaches the database, a
/// `Duration` (which traps on overflow) or `posix_spawn` (which stops a string at NUL).
extension JobSpec {
    public static let maxTimeoutSeconds: Double = 30 * 86400
    public static let maxAttemptsRange: ClosedRange<Int> = 1...100
    public static let priorityRange: ClosedRange<Int> = -1_000_000...1_000_000
    public static let maxArguments = 4096
    public static let maxArgumentBytes = 128 << 10
    public static let maxEnvironment = 256
    public static let maxLabels = 64
    public static let maxUniqueKeyBytes = 512
    public static let maxDependencies = 1000
    /// Letters, digits, '.', '_' and '-', as in a file name; at most 64.
    public static let queueNamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

    /// Checks the command part shared with schedules: argv, queue, timeout and attempts.
    public static func checkCommand(argv: [String], queue: String, timeoutSeconds: Double?, maxAttempts: Int) throws(JobQueueError) {
        guard let program = argv.first else {
            throw JobQueueError(.emptyCommand, "the job has no command: give the program to run and its arguments")
        }
        guard !program.isEmpty else {
            throw JobQueueError(.emptyCommand, "the job's program name is empty")
        }
        guard argv.count <= maxArguments else {
            throw JobQueueError(.invalidSpec, "the command has \(argv.count) arguments; the limit is \(maxArguments)")
        }
        for (index, argument) in argv.enumerated() {
            try checkText(argument, "argument \(index)", maxBytes: maxArgumentBytes)
        }
        guard !queue.isEmpty else {
            throw JobQueueError(.invalidSpec, "the queue name is empty; leave it out to use '\(defaultQueue)'")
        }
        guard queue.range(of: queueNamePattern, options: .regularExpression) != nil else {
            throw JobQueueError(.invalidSpec, "the queue name \(quoted(queue)) is not valid: use letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit")
        }
        guard maxAttemptsRange.contains(maxAttempts) else {
            throw JobQueueError(.invalidSpec, "max attempts is \(maxAttempts); give a number from \(maxAttemptsRange.lowerBound) to \(maxAttemptsRange.upperBound)")
        }
        if let timeout = timeoutSeconds, !(timeout > 0 && timeout <= maxTimeoutSeconds) {
            throw JobQueueError(.invalidSpec, "the timeout is \(timeout) s; give a number of seconds above 0 and at most \(Int(maxTimeoutSeconds)) (30 days), or none")
        }
    }

    /// Checks the whole spec.
    public func check() throws(JobQueueError) {
        try Self.checkCommand(argv: argv, queue: queue, timeoutSeconds: timeoutSeconds, maxAttempts: maxAttempts)
        guard Self.priorityRange.contains(priority) else {
            throw JobQueueError(.invalidSpec, "the priority is \(priority); give a number from \(Self.priorityRange.lowerBound) to \(Self.priorityRange.upperBound)")
        }
        if let directory = workingDirectory {
            guard directory.hasPrefix("/") else {
                throw JobQueueError(.invalidSpec, "the working directory \(Self.quoted(directory)) is not absolute; give a path starting with '/'")
            }
            try Self.checkText(directory, "the working directory", maxBytes: Int(PATH_MAX))
        }
        guard environment.count <= Self.maxEnvironment else {
            throw JobQueueError(.invalidSpec, "the job sets \(environment.count) environment variables; the limit is \(Self.maxEnvironment)")
        }
        for (name, value) in environment {
            guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]{0,127}$", options: .regularExpression) != nil else {
                throw JobQueueError(.invalidSpec, "the environment variable name \(Self.quoted(name)) is not valid: letters, digits and '_', not starting with a digit")
            }
            try Self.checkText(value, "the value of \(name)", maxBytes: Self.maxArgumentBytes)
        }
        if let share = shareKey {
            guard !share.isEmpty else { throw JobQueueError(.invalidSpec, "the share key is empty; leave it out for the host's own jobs") }
            try Self.checkText(share, "the share key", maxBytes: Self.maxUniqueKeyBytes)
        }
        if let key = uniqueKey {
            guard !key.isEmpty else { throw JobQueueError(.invalidSpec, "the unique key is empty; leave it out for none") }
            try Self.checkText(key, "the unique key", maxBytes: Self.maxUniqueKeyBytes)
        }
        guard dependencies.count <= Self.maxDependencies else {
            throw JobQueueError(.invalidSpec, "the job depends on \(dependencies.count) jobs; the limit is \(Self.maxDependencies)")
        }
        guard labels.count <= Self.maxLabels else {
            throw JobQueueError(.invalidSpec, "the job has \(labels.count) labels; the limit is \(Self.maxLabels)")
        }
        for (name, value) in labels {
            guard !name.isEmpty else { throw JobQueueError(.invalidSpec, "a label has an empty name") }
            try Self.checkText(name, "the label name \(Self.quoted(name))", maxBytes: 128)
            try Self.checkText(value, "the label \(Self.quoted(name))", maxBytes: 1024)
        }
    }

    static func checkText(_ text: String, _ what: String, maxBytes: Int) throws(JobQueueError) {
        guard text.utf8.count <= maxBytes else {
            throw JobQueueError(.invalidSpec, "\(what) is \(text.utf8.count) bytes long; the limit is \(maxBytes)")
        }
        guard !text.utf8.contains(0) else {
            throw JobQueueError(.invalidSpec, "\(what) contains a NUL character, which no command line can carry")
        }
    }

    /// A value quoted for a message, cut short so an error never echoes a huge input.
    static func quoted(_ text: String) -> String {
        text.count > 64 ? "'\(text.prefix(64))…'" : "'\(text)'"
    }
}
