import Foundation
import Scheduler

/// The `sbatch` command line and batch script for one attempt of a job: the same command
/// the local executor would run, with the same clean environment, its output appended to
/// the job's log on the shared state directory.
public struct SlurmBatchJob: Sendable, Equatable {
    public var arguments: [String]
    public var script: String
    /// `--job-name`.
    public var name: String
    /// `--comment`, unique to the attempt: after an sbatch whose answer was lost (a timeout),
    /// it tells whether Slurm took the job anyway, so it is never submitted twice.
    public var marker: String

    /// - Parameters:
    ///   - environment: exactly what the command gets (`env -i`), as a local child would.
    ///   - timeout: `--time`, rounded up to whole minutes.
    public init(jobID: Int64, attempt: Int, argv: [String], environment: [String: String], workingDirectory: String,
                logPath: String, timeout: Duration?, resources: ExecutionResources, configuration: SlurmConfiguration,
                marker: String = "hekaton-" + UUID().uuidString.lowercased()) {
        name = "hekaton-\(jobID)"
        self.marker = marker
        // Slurm expands %j and friends in --output; a path with a % is redirected by the script instead.
        let slurmWritesLog = !logPath.contains("%") && !logPath.contains("\\")
        var arguments = ["--parsable", "--job-name=\(name)", "--comment=\(marker)", "--export=NONE", "--no-requeue",
                         "--output=\(slurmWritesLog ? logPath : "/dev/null")", "--open-mode=append"]
        if let timeout {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
            arguments.append("--time=\(max(1, Int((seconds / 60).rounded(.up))))")
        }
        if let memory = resources.memoryBytes, memory > 0 {
            arguments.append("--mem=\((memory + (1 << 20) - 1) >> 20)M")
        }
        if let cpus = resources.cpus, cpus > 0 { arguments.append("--cpus-per-task=\(cpus)") }
        if resources.gpus > 0 { arguments.append("--gres=gpu:\(resources.gpus)") }
        if let partition = configuration.partition { arguments.append("--partition=\(partition)") }
        if let account = configuration.account { arguments.append("--account=\(account)") }
        self.arguments = arguments + configuration.extraArguments

        var variables = environment
        variables["HEKATON_JOB_ID"] = String(jobID)
        variables["HEKATON_JOB_ATTEMPT"] = String(attempt)
        let assignments = variables.sorted { $0.key < $1.key }.map { Self.quote("\($0.key)=\($0.value)") }
        let command = (["exec", "/usr/bin/env", "-i"] + assignments + argv.map(Self.quote)).joined(separator: " ")
        script = """
            #!/bin/sh
            # hekaton job \(jobID), attempt \(attempt)
            cd \(Self.quote(workingDirectory)) || exit 127
            \(command)\(slurmWritesLog ? "" : " >>\(Self.quote(logPath)) 2>&1")

            """
    }

    /// What the job asks of the cluster, for the job's log: `--time=20 --mem=2048M ...`.
    public var request: String {
        arguments.filter { ["--time", "--mem", "--cpus-per-task", "--gres", "--partition", "--account"].contains(String($0.prefix { $0 != "=" })) }
            .joined(separator: " ")
    }

    /// One word for `/bin/sh`, whatever it holds.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }), word.allSatisfy(\.isASCII) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
