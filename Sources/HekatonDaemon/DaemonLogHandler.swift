import CSystemd
import Foundation
import Logging

/// Writes log records to the journal with structured fields when stderr is connected to it
/// (`$JOURNAL_STREAM` names stderr's device and inode), and as readable lines otherwise.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    /// Follows `DaemonLogLevel.shared`, so a configuration reload changes every logger at once.
    public var logLevel: Logger.Level {
        get { DaemonLogLevel.shared.current }
        set {}
    }
    let label: String
    let toJournal: Bool

    public init(label: String, toJournal: Bool) {
        self.label = label
        self.toJournal = toJournal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// True when systemd connected stderr to the journal (see systemd.exec(5), `$JOURNAL_STREAM`).
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if toJournal {
            writeJournal(event: event, metadata: merged)
        } else {
            writeLine(event: event, metadata: merged)
        }
    }

    private func writeLine(event: LogEvent, metadata: Logger.Metadata) {
        var line = "\(Self.timestamp()) \(event.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(event.message)"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key]!)"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private func writeJournal(event: LogEvent, metadata: Logger.Metadata) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.syslogPriority(event.level))",
            "SYSLOG_IDENTIFIER=hekatond",
            "HEKATON_LOGGER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata {
            fields.append("HEKATON_\(Self.journalFieldName(key))=\(value)")
        }
        let buffers = fields.map { Array($0.utf8) }
        buffers.withUnsafeIOVecs { vectors in
            _ = sd_journal_sendv(vectors.baseAddress, Int32(vectors.count))
        }
    }

    /// Journal field names are upper-case letters, digits and underscores.
    static func journalFieldName(_ key: String) -> String {
        String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

extension Array where Element == [UInt8] {
    func withUnsafeIOVecs<R>(_ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
        var vectors: [iovec] = []
        vectors.reserveCapacity(count)
        func go(_ index: Int) -> R {
            if index == count {
                return vectors.withUnsafeBufferPointer(body)
            }
            return self[index].withUnsafeBytes { raw in
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
                return go(index + 1)
            }
        }
        return go(0)
    }
}
