import Foundation
import GRDB
import Scheduler

/// The webhooks competitions' manifests name (`webhooks:` in hekaton.yaml): replaced with
/// each published version, in its transaction, their secrets read from the competition
/// directory then. Each hears its competition's events from its publication on, under the
/// name `COMPETITION:NAME` (a webhook's own name has no colon).
public enum CompetitionWebhooks {
    /// Reads each webhook's secret (the first line of a private file in `directory`, never
    /// through a symbolic link): a secret that cannot be read publishes nothing.
    public static func withSecrets(_ webhooks: [Webhook], directory: String, manifestPath: String) throws -> [Webhook] {
        try webhooks.map { webhook in
            var webhook = webhook
            guard let path = webhook.secretFile else { return webhook }
            var info = stat()
            let full = directory + "/" + path
            guard CompetitionCatalog.contains(directory, path), lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                  info.st_size <= 64 << 10, let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                throw PipelineError(.invalidManifest, "\(manifestPath): webhook \(webhook.name): its secret_file \(path) is not a readable regular file in \(directory) (links are not followed)")
            }
            guard let secret = Webhook.secret(fromFileText: text) else {
                throw PipelineError(.invalidManifest, "\(manifestPath): webhook \(webhook.name): its secret_file \(path) holds no secret on its first line (or one over 4096 bytes)")
            }
            webhook.secretBytes = secret
            return webhook
        }
    }

    /// Replaces a competition's webhooks; new ones start after the latest event.
    public static func replace(_ competition: String, with webhooks: [Webhook], _ db: Database) throws {
        let latest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM event") ?? 0
        let kept = try Row.fetchAll(db, sql: "SELECT name, start_after_event FROM competition_webhook WHERE competition = ?", arguments: [competition])
        let started = Dictionary(uniqueKeysWithValues: kept.map { ($0["name"] as String, $0["start_after_event"] as Int64) })
        try db.execute(sql: "DELETE FROM competition_webhook WHERE competition = ?", arguments: [competition])
        for webhook in webhooks {
            let definition = String(decoding: try JSONEncoder().encode(webhook), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO competition_webhook (competition, name, definition, secret, start_after_event) VALUES (?, ?, ?, ?, ?)
                """, arguments: [competition, webhook.name, definition, webhook.secretBytes.map { Data($0) }, started[webhook.name] ?? latest])
        }
    }

    /// Every competition's webhooks, each wanting its competition's events only.
    public static func all(_ db: Database) throws -> [Webhook] {
        try Row.fetchAll(db, sql: "SELECT * FROM competition_webhook ORDER BY competition, name").compactMap { row in
            let competition: String = row["competition"]
            guard var webhook = try? JSONDecoder().decode(Webhook.self, from: Data((row["definition"] as String).utf8)) else { return nil }
            webhook.name = competition + ":" + webhook.name
            webhook.competitions = [competition]
            webhook.secretBytes = (row["secret"] as Data?).map { Array($0) }
            webhook.startAfterEvent = row["start_after_event"]
            return webhook
        }
    }
}
