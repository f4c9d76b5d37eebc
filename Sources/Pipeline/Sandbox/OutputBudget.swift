import Foundation

/// What a stage may leave in its writable directories. Measured while the stage runs, so
/// that a stage which writes without end is stopped near its limit rather than when the
/// disk is full, and once more when it ends.
public struct OutputBudget: Sendable {
    public let directories: [String]
    public let maxBytes: Int64
    public let maxFiles: Int

    public init(directories: [String], maxBytes: Int64, maxFiles: Int = StageLimits.maxOutputFiles) {
        self.directories = directories
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
    }

    /// Nil while within the budget; otherwise what was exceeded, for the job's error. The walk
    /// stops as soon as either limit is passed, so measuring a hostile tree stays cheap.
    public func overrun() -> String? {
        var bytes: Int64 = 0
        var files = 0
        var pending = directories
        while let directory = pending.popLast() {
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                files += 1
                // Blocks actually used: a sparse file costs what it holds, and a file of holes nothing.
                bytes += max(Int64(info.st_size) > 0 ? Int64(info.st_blocks) * 512 : 0, 0)
                if (info.st_mode & S_IFMT) == S_IFDIR { pending.append(path) }
                if files > maxFiles {
                    return "wrote more than \(maxFiles) files to its output (the limit for any stage)"
                }
                if bytes > maxBytes {
                    return "wrote more than \(Self.describe(maxBytes)) to its output (limits.*.output in hekaton.yaml)"
                }
            }
        }
        return nil
    }

    static func describe(_ bytes: Int64) -> String {
        bytes >= 1 << 30 && bytes % (1 << 30) == 0 ? "\(bytes >> 30) GiB" : "\(bytes >> 20) MiB"
    }
}
