import Scheduler
import StrictYAML

extension Webhook {
    public static let maximumCount = 20

    /// Where a `webhooks:` list is written, which decides two keys.
    public enum Origin: Sendable {
        /// `hekatond.yaml`: `competitions` filters, and `secret_file` is a path on the host.
        case configuration
        /// A competition's `hekaton.yaml`: it hears that competition only, and `secret_file`
        /// is a path inside the competition directory (which must keep it private).
        case manifest
    }

    /// Reads a `webhooks:` list: names unique, URLs http or https, known formats and kinds.
    public static func parseList(_ value: YAMLValue, origin: Origin) throws(YAMLError) -> [Webhook] {
        var webhooks: [Webhook] = []
        let items = try value.list()
        guard items.count <= maximumCount else {
            throw value.invalid("\(items.count) webhooks; at most \(maximumCount)", suggestion: "send to fewer receivers, each filtering by kinds")
        }
        for item in items {
            let map = try item.mapping()
            try map.allowKeys(["name", "url", "format", "secret_file", "kinds"] + (origin == .configuration ? ["competitions"] : []))
            let nameValue = try map.required("name")
            let name = try nameValue.string()
            guard validName(name) else {
                throw nameValue.invalid("'\(name.prefix(80))' is not a valid webhook name", suggestion: "use lower-case letters, digits and dashes")
            }
            guard !webhooks.contains(where: { $0.name == name }) else { throw nameValue.invalid("a second webhook named '\(name)'") }
            let urlValue = try map.required("url")
            let url = try urlValue.string()
            guard validURL(url) else {
                throw urlValue.invalid("'\(url.prefix(200))' is not an http or https URL", suggestion: "write it like https://hooks.slack.com/services/...")
            }
            var webhook = Webhook(name: name, url: url)
            if let formatValue = map["format"] {
                let text = try formatValue.string()
                guard let format = Format(rawValue: text) else {
                    throw formatValue.invalid("unknown webhook format '\(text)'", suggestion: "use json (signed with secret_file) or slack")
                }
                webhook.format = format
            }
            if let secretValue = map["secret_file"] {
                let path = try secretValue.string()
                switch origin {
                case .configuration:
                    webhook.secretFile = path
                case .manifest:
                    guard let clean = CompetitionManifest.cleanRelative(path) else {
                        throw secretValue.invalid("'\(path.prefix(200))' is not a path inside the competition directory",
                                                  suggestion: "keep the secret in the competition directory, listed under visibility.private, like secrets/ops.secret")
                    }
                    webhook.secretFile = clean
                }
            }
            if let kindsValue = map["kinds"] {
                var kinds: Set<Event.Kind> = []
                for text in try kindsValue.stringList() {
                    guard let kind = Event.Kind(rawValue: text) else {
                        throw kindsValue.invalid("unknown event kind '\(text.prefix(80))'", suggestion: "use \(Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    kinds.insert(kind)
                }
                webhook.kinds = kinds
            }
            if let competitionsValue = map["competitions"] { webhook.competitions = Set(try competitionsValue.stringList()) }
            webhooks.append(webhook)
        }
        return webhooks
    }
}
