import Foundation
import GRDB
import Lineage
import StrictYAML

/// Publishes competition directories as content-addressed versions.
public struct CompetitionCatalog: Sendable {
    public let database: any DatabaseWriter
    public let blobs: BlobStore

    public init(database: any DatabaseWriter, blobs: BlobStore) {
        self.database = database
        self.blobs = blobs
    }

    public enum Publication: Sendable {
        case created(CompetitionVersion)
        case unchanged(CompetitionVersion)
    }

    /// Reads and checks the manifest, snapshots the directory, and records a new version
    /// unless its content equals the latest one. A bad manifest publishes nothing. The teams
    /// its `teams:` file defines are set with the new version, their names resolved by
    /// `userID`; a teams file that cannot be applied publishes nothing.
    public func publish(directory: String, tag: String?, publisher: UInt32, now: Date = Date(),
                        userID: ((String) -> UInt32?)? = nil) throws -> Publication {
        let manifestPath = directory + "/" + CompetitionManifest.fileName
        guard let text = try? String(contentsOfFile: manifestPath, encoding: .utf8) else {
            throw PipelineError(.invalidManifest, "\(manifestPath) does not exist or cannot be read; `hekatonctl competition init NAME DIR` scaffolds one")
        }
        let manifest: CompetitionManifest
        do {
            manifest = try CompetitionManifest.parse(text, file: manifestPath) { Self.contains(directory, $0) }
        } catch {
            throw PipelineError(.invalidManifest, "\(error)")
        }
        try Self.checkTemplate(manifest, directory: directory, manifestPath: manifestPath)
        if let tag { try LineageName.validate(tag, as: .tag) }
        var teams: [(team: String, members: [Teams.Member])] = []
        if let file = manifest.teamsFile {
            guard let userID else {
                throw PipelineError(.invalidManifest, "\(manifestPath): 'teams': this publisher cannot look up users; define the teams with `hekatonctl team set`")
            }
            teams = try Teams.parseFile(directory + "/" + file, uid: userID)
        }
        let webhooks = try CompetitionWebhooks.withSecrets(manifest.webhooks ?? [], directory: directory, manifestPath: manifestPath)
        let report = try TreeSnapshot(store: blobs).capture(directory)
        let root = report.rootDigest.description
        return try database.write { db in
            if let latest = try CompetitionVersion.latest(of: manifest.name, db), latest.rootDigest == root {
                return .unchanged(latest)
            }
            let count = try CompetitionVersion.all(of: manifest.name, db).count
            let resolvedTag = tag ?? "v\(count + 1)"
            if try CompetitionVersion.filter(sql: "competition = ? AND tag = ?", arguments: [manifest.name, resolvedTag]).fetchCount(db) > 0 {
                throw PipelineError(.conflict, "competition '\(manifest.name)' already has a version tagged '\(resolvedTag)'; choose another --tag")
            }
            var version = CompetitionVersion(id: nil, competition: manifest.name, tag: resolvedTag, rootDigest: root,
                                             manifest: manifest, source: directory, publishedBy: publisher, createdAt: now)
            try version.insert(db)
            for (team, members) in teams {
                try Teams.set(team, of: manifest.name, members: members, now: now, db)
            }
            try CompetitionSchedules.sync(manifest, now: now, db)
            try CompetitionWebhooks.replace(manifest.name, with: webhooks, db)
            return .created(version)
        }
    }

    /// The template the manifest names must exist (the parser checked the scripts).
    static func checkTemplate(_ manifest: CompetitionManifest, directory: String, manifestPath: String) throws {
        if let template = manifest.submission.template {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + template, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PipelineError(.invalidManifest, "\(manifestPath): 'submission.template': the directory \(template) does not exist in \(directory)")
            }
        }
    }

    /// Whether `path` is in the tree a snapshot of `directory` holds: every component but
    /// the last a real directory, not a link (a snapshot keeps links as links).
    static func contains(_ directory: String, _ path: String) -> Bool {
        let components = path.split(separator: "/")
        var current = directory
        var info = stat()
        for (index, component) in components.enumerated() {
            current += "/" + component
            guard lstat(current, &info) == 0 else { return false }
            if index < components.count - 1, (info.st_mode & S_IFMT) != S_IFDIR { return false }
        }
        return true
    }
}
