import ControlAPI
import Execution
import Foundation
import GRDB
import Lineage

/// A copy of a running daemon's state that a daemon can start on: SQLite's online backup of
/// the database, taken while garbage collection is held off, with the blob store beside it
/// as hard links (copies across filesystems: blobs never change, so a link is a copy), and
/// then verified: every blob re-hashed, every blob the copied records reference present.
/// The environments, images and artifacts come along the same way, the job logs as copies.
/// What is the running daemon's alone stays behind: its lock, its instance (its resource
/// groups' names), its scratch and stage directories. Jobs that were running are rescued
/// by the daemon that starts on the copy, as after any restart.
struct Backup {
    let stateDirectory: String
    let database: DatabasePool
    let blobs: BlobStore

    /// Linked (or, across filesystems, copied) as they are.
    static let linkedParts = ["images", "bases", "envs", "artifacts"]
    /// Copied: files that grow.
    static let copiedParts = ["logs"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run(to destination: String) throws -> BackupReport {
        let started = Date()
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        var tally = Tally()
        try blobs.withoutCollection {
            let copy = try DatabaseQueue(path: destination + "/" + DaemonDatabase.fileName)
            try database.backup(to: copy)
            try copy.close()
            try Self.mirror(blobs.root, to: destination + "/blobs", link: true, skipping: ["tmp", "lock"], &tally)
        }
        for part in Self.linkedParts where FileManager.default.fileExists(atPath: stateDirectory + "/" + part) {
            try Self.mirror(stateDirectory + "/" + part, to: destination + "/" + part, link: true, skipping: [], &tally)
        }
        for part in Self.copiedParts where FileManager.default.fileExists(atPath: stateDirectory + "/" + part) {
            try Self.mirror(stateDirectory + "/" + part, to: destination + "/" + part, link: false, skipping: [], &tally)
        }
        // Verified as a restored daemon would see it.
        let copied = try BlobStore(root: destination + "/blobs")
        let records = try DatabaseQueue(path: destination + "/" + DaemonDatabase.fileName)
        let references = try records.read { db in try copied.references(db, from: DaemonDatabase.blobReferences) }
        let counts = try records.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state = 'running'") ?? 0)
        }
        try records.close()
        let verification = try copied.verify(referenced: references.digests)
        guard verification.corrupted.isEmpty, verification.missing.isEmpty else {
            throw Failure(description: "the copy in \(destination) did not verify: \(verification.corrupted.count) blob(s) whose bytes do not match their names, \(verification.missing.count) referenced blob(s) missing (first: \((verification.corrupted + verification.missing).first.map(\.description) ?? "-")); it is not a usable backup")
        }
        return BackupReport(destination: destination, databaseBytes: Self.size(destination + "/" + DaemonDatabase.fileName),
                            blobs: verification.checkedBlobs, blobBytes: verification.checkedBytes, referencedBlobs: references.owners.count,
                            linkedFiles: tally.linked, copiedFiles: tally.copied, copiedBytes: tally.copiedBytes,
                            submissions: counts.0, runningJobs: counts.1, seconds: Date().timeIntervalSince(started))
    }

    struct Tally {
        var linked = 0
        var copied = 0
        var copiedBytes: Int64 = 0
    }

    static func size(_ path: String) -> Int64 {
        var info = stat()
        return lstat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Recreates `source` at `target`: directories with their modes, symbolic links as links,
    /// regular files hard-linked (`link`) or copied; a link across filesystems falls back to a copy.
    static func mirror(_ source: String, to target: String, link: Bool, skipping: Set<String>, _ tally: inout Tally) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            if mkdir(target, info.st_mode & 0o7777) != 0 && errno != EEXIST {
                throw Failure(description: "cannot make \(target): \(String(cString: strerror(errno)))")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: source)
            for name in names.sorted() where !skipping.contains(name) {
                try mirror(source + "/" + name, to: target + "/" + name, link: link, skipping: [], &tally)
            }
        case S_IFLNK:
            let destination = try FileManager.default.destinationOfSymbolicLink(atPath: source)
            try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: destination)
        case S_IFREG:
            if link, Glibc.link(source, target) == 0 {
                tally.linked += 1
                return
            }
            if link && errno != EXDEV {
                throw Failure(description: "cannot link \(source) to \(target): \(String(cString: strerror(errno)))")
            }
            try FileManager.default.copyItem(atPath: source, toPath: target)
            tally.copied += 1
            tally.copiedBytes += Int64(info.st_size)
        default:
            break  // sockets, fifos: a live daemon's, not state
        }
    }
}
