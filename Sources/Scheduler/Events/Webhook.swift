import Foundation

/// Where events go: a receiver's URL, the payload's shape, and which events it wants. From
/// the daemon's configuration, or from a competition's manifest (then it hears that
/// competition's events only, and its secret was read when the competition was published).
/// Delivery is the Notifications module's.
public struct Webhook: Sendable, Equatable, Codable {
    public enum Format: String, Sendable, CaseIterable, Codable {
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
    /// The secret itself, when it was read already (a competition's, at publication); it
    /// wins over `secretFile`. Never encoded.
    public var secretBytes: [UInt8]?
    /// Where a webhook seen for the first time starts: after this event (a competition's,
    /// its publication); nil: after the latest event. Never encoded.
    public var startAfterEvent: Int64?

    enum CodingKeys: String, CodingKey {
        case name, url, format, kinds, competitions
        case secretFile = "secret_file"
    }

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
        if let secretBytes { return secretBytes }
        guard let secretFile else { return nil }
        guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else {
            throw WebhookError("webhook \(name): its secret_file \(secretFile) cannot be read by the daemon")
        }
        guard let secret = Self.secret(fromFileText: text) else {
            throw WebhookError("webhook \(name): its secret_file \(secretFile) holds no secret on its first line (or one over 4096 bytes)")
        }
        return secret
    }

    /// A secret file's first line, when it is one of 1 to 4096 bytes.
    public static func secret(fromFileText text: String) -> [UInt8]? {
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !line.isEmpty, line.utf8.count <= 4096 else { return nil }
        return Array(line.utf8)
    }
}

public struct WebhookError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
