import Foundation
import GRDB

/// Where artifacts are exported for their consumers:
/// `STATE/artifacts/COMPETITION/JOB/{files,oci}` and `STATE/artifacts/COMPETITION/latest`, a
/// link to the newest build that committed. Directories of builds that never committed (a
/// crash) are removed, and only the last N builds are kept on disk.
public struct ArtifactStore: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    public func root(_ competition: String) -> String { stateDirectory + "/artifacts/" + competition }
    public func directory(_ competition: String, job: Int64) -> String { root(competition) + "/\(job)" }
    public func latest(_ competition: String) -> String { root(competition) + "/latest" }

    /// Points `latest` at `job`'s build, replacing the link atomically.
    public func setLatest(_ competition: String, job: Int64) throws {
        let temporary = root(competition) + "/.latest.tmp"
        unlink(temporary)
        guard symlink("\(job)", temporary) == 0 else {
            throw PipelineError(.invalidBundle, "could not link \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, latest(competition)) == 0 else {
            throw PipelineError(.invalidBundle, "could not replace \(latest(competition)): \(String(cString: strerror(errno)))")
        }
    }

    /// Keeps the directories of `keep` (the succeeded builds still kept), removes the rest.
    public func prune(_ competition: String, keep: Set<Int64>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root(competition)) else { return }
        for name in names {
            guard let job = Int64(name), !keep.contains(job) else { continue }
            try? PipelineExecutor.removeTree(root(competition) + "/" + name)
        }
    }
}

extension ArtifactStore {
    /// After a crash: `latest` of each competition points at its newest committed build, and
    /// directories of builds that never committed (or are no longer kept) are removed.
    public func reconcile(_ database: any DatabaseWriter) throws {
        let kept = try database.read { db in
            try ArtifactBuild.filter(sql: "state = 'succeeded'").order(sql: "id DESC").fetchAll(db)
        }
        var competitions = Set(kept.map(\.competition))
        if let names = try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/artifacts") {
            competitions.formUnion(names)
        }
        for competition in competitions {
            let builds = kept.filter { $0.competition == competition }
            if let newest = builds.first {
                // Best effort: a missing directory must not keep the daemon from starting.
                try? FileManager.default.createDirectory(atPath: root(competition), withIntermediateDirectories: true)
                try? setLatest(competition, job: newest.jobID)
            } else {
                unlink(latest(competition))
            }
            prune(competition, keep: Set(builds.map(\.jobID)))
        }
    }
}
