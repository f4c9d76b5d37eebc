import GRDB

/// What a schedule does about the fire times it missed while the daemon was down.
public enum ScheduleCatchUp: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Nothing: wait for the next fire time.
    case none
    /// Fire once for everything missed (as systemd's `Persistent=true`), unless the
    /// starting deadline has passed.
    case once
}
