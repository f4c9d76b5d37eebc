import Execution
import Foundation
import GRDB
import Lineage
import Scheduler

/// What the automation loop's handlers share, and ingestion: it runs the dataset's source
/// and snapshots it.
extension PipelineExecutor {
    /// Fails the attempt with `message`, which also goes to the job's log; `.refused` ends the
    /// job at once, where another attempt would meet the same refusal.
    func failure(_ message: String, _ context: ExecutionContext, _ code: ExecutionError.Code = .spawnFailed) -> ExecutionError {
        JobLog.note(message, to: context.logURL)
        return ExecutionError(code, message)
    }

    func competition(of job: Job, _ context: ExecutionContext) async throws(ExecutionError) -> CompetitionVersion {
        guard let name = job.labels[AutomationTask.competitionLabel] else {
            throw failure("job \(job.id) names no competition (label \(AutomationTask.competitionLabel))", context)
        }
        let version: CompetitionVersion?
        do { version = try await database.read { db in try CompetitionVersion.latest(of: name, db) } } catch {
            throw failure("could not read competition '\(name)': \(error)", context)
        }
        guard let version else { throw failure("competition '\(name)' does not exist (any more)", context) }
        return version
    }

    // MARK: Ingestion

    func ingest(_ job: Job, context: ExecutionContext) async throws(ExecutionError) -> HandledAttempt<IngestedSnapshot> {
        let started = Date()
        let competition = try await competition(of: job, context)
        let manifest = competition.manifest
        let datasetName = manifest.dataset.name
        guard let source = manifest.dataset.source else {
            throw failure("competition '\(competition.competition)' declares no dataset.source to ingest from; add one to hekaton.yaml and publish again", context)
        }
        let fm = FileManager.default
        // One directory per attempt: a source command orphaned by a daemon killed outside
        // systemd cannot write into the next attempt's data.
        let jobDirectory = layout.taskDirectory(.ingest, job: job.id)
        let work = jobDirectory + "/attempt-\(job.attempt)"
        let logical = LogicalTime(job: job.labels, createdAt: job.createdAt)
        do {
            try await BlockingWork.runWhole { [layout] in
                let fm = FileManager.default
                try layout.prepareRunsDirectory()
                if fm.fileExists(atPath: jobDirectory) { try Self.removeTree(jobDirectory) }
                try fm.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw failure("could not prepare \(work): \(error)", context)
        }
        let data: String
        let described: String
        switch source {
        case .directory(let path, let readyFile):
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw failure("the source directory \(path) of dataset '\(datasetName)' does not exist; the upstream pipeline should write it (or fix dataset.source.directory and publish again)", context)
            }
            if let readyFile, !fm.fileExists(atPath: path + "/" + readyFile) {
                throw failure("the source directory \(path) has no \(readyFile) yet: the upstream has not finished writing; nothing was ingested", context)
            }
            data = path
            described = path
        case .command(let argv):
            let host = work + "/host"
            data = work + "/data"
            do {
                try await BlockingWork.runWhole { [blobs, data] in
                    try TreeSnapshot(store: blobs).materialize(try Digest(parsing: competition.rootDigest), into: host)
                    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
                }
            } catch {
                throw failure("could not prepare the source command's directories: \(error)", context)
            }
            var staged = job
            staged.argv = argv
            staged.workingDirectory = host
            staged.environment = [
                "HEKATON_OUTPUT_DIR": data, "HEKATON_DATASET": datasetName, "HEKATON_COMPETITION": competition.competition,
                "HEKATON_DATE": logical.date, "HEKATON_LOGICAL_TIME": "\(Int(logical.instant.timeIntervalSince1970))",
                "HEKATON_PARAMS": manifest.parametersJSON,
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": work, "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1", "PYTHONPATH": layout.sdkDirectory,
            ]
            JobLog.note("running the source command \(argv.joined(separator: " ")) for \(logical.date)", to: context.logURL)
            let result = try await local.run(staged, context: context)
            guard result.succeeded else { return HandledAttempt(result) }
            described = argv.joined(separator: " ")
        }
        let report: SnapshotReport
        do { report = try await BlockingWork.runWhole { [blobs, data] in try TreeSnapshot(store: blobs).capture(data) } } catch {
            throw failure("could not snapshot \(data): \(error)", context)
        }
        let manifestTree = report.manifest
        guard manifestTree.fileCount > 0 else {
            throw failure("the source of dataset '\(datasetName)' (\(described)) holds no files: nothing to ingest", context)
        }
        for (key, prefix) in [("train", manifest.dataset.train), ("features", manifest.dataset.features), ("labels", manifest.dataset.labels)]
        where !manifestTree.entries.contains(where: { $0.path.hasPrefix(prefix + "/") }) {
            throw failure("the source of dataset '\(datasetName)' (\(described)) has nothing under '\(prefix)/' (dataset.\(key)); a version without it could not be trained or scored, so nothing was ingested", context)
        }
        let snapshot = IngestedSnapshot(rootDigest: manifestTree.rootDigest, files: Int64(manifestTree.fileCount),
                                        bytes: manifestTree.totalSize, source: described)
        JobLog.note("snapshot of \(described): \(manifestTree.fileCount) files, \(manifestTree.totalSize) bytes, \(manifestTree.rootDigest)", to: context.logURL)
        // The blob store holds it now; the copy a source command wrote is not needed.
        _ = try? await BlockingWork.runWhole { try Self.removeTree(work) }
        return HandledAttempt(ExecutionResult(termination: .exited(0), wallSeconds: Date().timeIntervalSince(started)), output: snapshot)
    }
}
