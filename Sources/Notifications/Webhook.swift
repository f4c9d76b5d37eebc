import Foundation
import Scheduler

/// Where events go: a receiver's URL, the payload's shape, and which events it wants.
public struct Webhook: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// The event as JSON, signed with HMAC-SHA256 in `X-Hekaton-Signature-256` when a
        /// secret is set (as GitHub signs its webhooks).
        case json
        /// Slack's incoming-webhook payload: one readable line in `text`.
        case slack
    }

    public var name: String
    public var url: String
    public var format: Format
    /// A file holding the signing secret (its first line); nil: unsigned.
    public var secretFile: String?
    /// Event kinds wanted; nil: all.
    public var kinds: Set<Event.Kind>?
    /// Competitions wanted; nil: all (events of no competition included).
    public var competitions: Set<String>?

    public init(name: String, url: String, format: Format = .json, secretFile: String? = nil,
                kinds: Set<Event.Kind>? = nil, competitions: Set<String>? = nil) {
        self.name = name
        self.url = url
        self.format = format
        self.secretFile = secretFile
        self.kinds = kinds
        self.competitions = competitions
    }

    public func wants(_ event: Event) -> Bool {
        if let kinds, !kinds.contains(event.kind) { return false }
        if let competitions { return event.competition.map(competitions.contains) ?? false }
        return true
    }

    /// A webhook's name: lower-case letters, digits and dashes.
    public static func validName(_ name: String) -> Bool {
        name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil
    }

    /// `http://` or `https://` and a host; nothing else is sent to.
    public static func validURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2048, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else { return false }
        return true
    }

    /// The secret's bytes: the file's first line. Refused (the daemon does not start) when
    /// the file cannot be read or is empty: an unsigned delivery is not what was asked for.
    public func secret() throws -> [UInt8]? {
        guard let secretFile else { return nil }
        guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else {
            throw WebhookError("webhook \(name): its secret_file \(secretFile) cannot be read by the daemon")
        }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !line.isEmpty, line.utf8.count <= 4096 else {
            throw WebhookError("webhook \(name): its secret_file \(secretFile) holds no secret on its first line (or one over 4096 bytes)")
        }
        return Array(line.utf8)
    }
}

public struct WebhookError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
