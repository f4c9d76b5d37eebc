import Logging
import Synchronization

/// The log level in force, changeable by a configuration reload.
public final class DaemonLogLevel: Sendable {
    public static let shared = DaemonLogLevel()
    private let level = Mutex<Logger.Level>(.info)

    public var current: Logger.Level { level.withLock { $0 } }

    public func set(_ name: DaemonConfiguration.LogLevelName) {
        level.withLock { $0 = Logger.Level(rawValue: name.rawValue) ?? .info }
    }
}
