import Execution
import Foundation
import Synchronization

/// What the state directory holds on disk, by category: each file's allocated blocks, a
/// file with several links (a blob hard-linked into a run) counted once, under the first
/// category that reaches it. Walking a large store takes a while, so a measurement is kept
/// for a minute and made on the blocking pool, never on a request's own thread.
final class DiskUsage: Sendable {
    /// The state directory's parts, in the order they claim shared files.
    static let categories: [(name: String, paths: [String])] = [
        ("database", ["hekaton.sqlite3", "hekaton.sqlite3-wal", "hekaton.sqlite3-shm"]),
        ("blobs", ["blobs"]),
        ("images", ["images", "bases"]),
        ("environments", ["envs"]),
        ("artifacts", ["artifacts"]),
        ("runs", ["runs"]),
        ("logs", ["logs"]),
    ]
    static let freshSeconds: TimeInterval = 60

    struct Measurement: Sendable {
        var at: Date
        var bytes: [(name: String, bytes: Int64)]
        var total: Int64 { bytes.reduce(0) { $0 + $1.bytes } }
    }

    struct Limits: Sendable, Equatable {
        var soft: Int64?
        var hard: Int64?
    }

    private let stateDirectory: String
    private let last = Mutex<Measurement?>(nil)
    let limits: Mutex<Limits>
    /// Whether the soft limit's warning was given for the current excess (given again once
    /// the use has gone back under it and over again).
    private let warned = Mutex(false)

    init(stateDirectory: String, limits: Limits = Limits()) {
        self.stateDirectory = stateDirectory
        self.limits = Mutex(limits)
    }

    /// Why a new submission cannot be taken now, or nil: the state directory is at or over
    /// its hard limit.
    func refusal() async throws -> String? {
        guard let hard = limits.withLock({ $0.hard }) else { return nil }
        let measured = try await current()
        guard measured.total >= hard else { return nil }
        return "the state directory holds \(Self.text(measured.total)), at or over its hard limit of \(Self.text(hard)) (disk.hard_limit in hekatond.yaml), so new submissions are refused until hosts free space (hekatonctl gc; job_retention; retention.runs and retention.dataset_versions; artifact.keep) or raise the limit"
    }

    /// A message for the soft limit's event the first time a measurement is over it.
    func softWarning(_ measured: Measurement) -> String? {
        guard let soft = limits.withLock({ $0.soft }) else { return nil }
        let over = measured.total >= soft
        let first = warned.withLock { given in
            defer { given = over }
            return over && !given
        }
        guard first else { return nil }
        return "the state directory holds \(Self.text(measured.total)), over its soft limit of \(Self.text(soft)) (disk.soft_limit in hekatond.yaml): free space (hekatonctl gc; job_retention; retention.runs and retention.dataset_versions; artifact.keep) before the hard limit refuses submissions"
    }

    static func text(_ bytes: Int64) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
            : bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) : "\(bytes >> 10) KiB"
    }

    /// The latest measurement, made now when there is none from the last minute.
    func current(now: Date = Date()) async throws -> Measurement {
        if let kept = last.withLock({ $0 }), now.timeIntervalSince(kept.at) < Self.freshSeconds { return kept }
        let directory = stateDirectory
        let measured = try await BlockingWork.run { Self.measure(directory, at: now) }
        last.withLock { $0 = measured }
        return measured
    }

    static func measure(_ directory: String, at now: Date) -> Measurement {
        var seen = Set<[UInt64]>()
        var result: [(name: String, bytes: Int64)] = []
        for category in categories {
            var total: Int64 = 0
            for path in category.paths { total += size(directory + "/" + path, seen: &seen) }
            result.append((category.name, total))
        }
        return Measurement(at: now, bytes: result)
    }

    /// Allocated bytes under `path`, not following links, each inode once.
    static func size(_ path: String, seen: inout Set<[UInt64]>) -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        var total: Int64 = 0
        if seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { total += Int64(info.st_blocks) * 512 }
        guard (info.st_mode & S_IFMT) == S_IFDIR, let directory = opendir(path) else { return total }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            total += size(path + "/" + name, seen: &seen)
        }
        return total
    }
}
