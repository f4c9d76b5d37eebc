import Execution
import Scheduler

/// Slurm's command-line tools, run as child processes, their answers sorted into what the
/// executor acts on: done, refused, the job unknown, or the controller out of reach.
struct SlurmControl: Sendable {
    let configuration: SlurmConfiguration

    enum Answer<Value: Sendable>: Sendable {
        case done(Value)
        /// Slurm refused (sbatch's own message).
        case refused(String)
        /// The controller does not know the job (any more).
        case unknownJob
        /// No answer from the controller; worth trying again later.
        case unreachable(String)
    }

    /// `sbatch --parsable`, the script on stdin; answers the Slurm job id.
    func submit(_ batch: SlurmBatchJob) async throws(ExecutionError) -> Answer<String> {
        let output = try await tool("sbatch", batch.arguments, input: batch.script)
        if output.status == 0 {
            let id = output.stdout.split(whereSeparator: \.isNewline).last
                .map { String($0.split(separator: ";").first ?? "") } ?? ""
            if !id.isEmpty, id.allSatisfy(\.isNumber) { return .done(id) }
            return .refused("sbatch printed no job id: \(Self.message(output))")
        }
        return Self.classify(output)
    }

    /// `scontrol -o show job ID`, and `sacct` once the controller has forgotten the job.
    func status(_ id: String) async throws(ExecutionError) -> Answer<SlurmJobStatus> {
        let output = try await tool("scontrol", ["-o", "show", "job", id])
        if output.status == 0, let status = output.stdout.split(whereSeparator: \.isNewline).lazy
            .compactMap({ SlurmJobStatus.parse(scontrol: String($0)) }).first {
            return .done(status)
        }
        let answer: Answer<SlurmJobStatus> = Self.classify(output)
        guard case .unknownJob = answer else { return answer }
        // Without an accounting database sacct answers nothing (or an error): the job is lost.
        let accounting = try? await tool("sacct", ["-n", "-P", "-X", "-j", id, "-o", "State,ExitCode,NodeList"])
        if let accounting, accounting.status == 0, let status = accounting.stdout.split(whereSeparator: \.isNewline).lazy
            .compactMap({ SlurmJobStatus.parse(sacct: String($0)) }).first {
            return .done(status)
        }
        return .unknownJob
    }

    /// The id of the job named `name` carrying `marker` as its comment, if Slurm has one.
    func find(_ batch: SlurmBatchJob) async throws(ExecutionError) -> Answer<String?> {
        let output = try await tool("squeue", ["-h", "-n", batch.name, "-o", "%i|%k"])
        guard output.status == 0 else { return Self.classify(output) }
        for line in output.stdout.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 1).map(String.init)
            if fields.count == 2 && fields[1] == batch.marker { return .done(fields[0]) }
        }
        return .done(nil)
    }

    /// `scancel ID`: sends the job SIGTERM, then SIGKILL after Slurm's KillWait.
    func cancel(_ id: String) async throws(ExecutionError) -> Answer<Void> {
        let output = try await tool("scancel", [id])
        return output.status == 0 ? .done(()) : Self.classify(output)
    }

    private func tool(_ name: String, _ arguments: [String], input: String? = nil) async throws(ExecutionError) -> ToolCommand.Output {
        do {
            return try await ToolCommand.run([configuration.tool(name)] + arguments, input: input)
        } catch where error.code == .executableNotFound || error.code == .notExecutable {
            throw ExecutionError(error.code, "\(error.message); the Slurm executor needs Slurm's client tools (Debian: slurm-client) and a slurm.conf for the cluster")
        }
    }

    static func classify<Value>(_ output: ToolCommand.Output) -> Answer<Value> {
        let text = message(output)
        if text.contains("Invalid job id") { return .unknownJob }
        let transient = ["Unable to contact slurm controller", "Socket timed out", "Connection refused", "Zero Bytes were transmitted",
                         "temporarily unable", "Communication connection failure", "Transport endpoint", "slurmctld not responding",
                         "Connection reset", "Resource temporarily unavailable"]
        if transient.contains(where: { text.localizedCaseInsensitiveContains($0) }) { return .unreachable(text) }
        return .refused(text)
    }

    /// The tool's own words: its stderr (else stdout), `sbatch: error: ` prefixes dropped.
    static func message(_ output: ToolCommand.Output) -> String {
        let text = output.stderr.isEmpty ? output.stdout : output.stderr
        let lines = text.split(whereSeparator: \.isNewline).map { line -> String in
            var line = String(line)
            for prefix in ["sbatch: error: ", "scancel: error: ", "scontrol: error: ", "sacct: error: "] where line.hasPrefix(prefix) {
                line.removeFirst(prefix.count)
            }
            return line
        }
        let joined = lines.joined(separator: "; ")
        return joined.isEmpty ? "exit status \(output.status) and no message" : joined
    }
}
