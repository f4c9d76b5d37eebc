import Foundation

/// What of the file system a daemon under systemd cannot see: `ProtectHome=yes` empties
/// /home, /root and /run/user for the service, and `PrivateTmp=yes` gives it /tmp and
/// /var/tmp of its own. A path a caller names there exists for them and not for the daemon.
public struct ServiceView: Sendable {
    /// True when systemd started the daemon as a service (it sets `$INVOCATION_ID`).
    public let underSystemd: Bool

    public init(underSystemd: Bool) { self.underSystemd = underSystemd }

    public init(environment: [String: String]) {
        self.init(underSystemd: environment["INVOCATION_ID"] != nil)
    }

    /// Where hosts put what the daemon must read (the package's tmpfiles.d snippet makes it).
    public static let dataDirectory = "/srv/hekaton"

    static let hidden: [(prefixes: [String], setting: String, what: String)] = [
        (["/home", "/root", "/run/user"], "ProtectHome=yes", "hides /home, /root and /run/user from it"),
        (["/tmp", "/var/tmp"], "PrivateTmp=yes", "gives it a /tmp and /var/tmp of its own"),
    ]

    /// Why `path` may be invisible to the daemon, naming the unit's setting and what to do;
    /// nil when nothing in the unit hides it.
    public func whyHidden(_ path: String) -> String? {
        guard underSystemd else { return nil }
        for rule in Self.hidden where rule.prefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            return "hekatond runs under systemd with \(rule.setting) (hekatond.service), which \(rule.what); "
                + "copy the files under \(Self.dataDirectory) (or another directory the service can read) and name that path instead"
        }
        return nil
    }

    /// The detail of a "no such path" answer: the path, and why the daemon may not see it.
    public func missing(_ path: String) -> String {
        let base = "\(path) does not exist as the daemon sees it"
        return whyHidden(path).map { base + ": " + $0 } ?? base
    }
}
