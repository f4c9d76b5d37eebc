#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `.hekaton-competition` in a submission directory: the competition it was made for, so
/// `hekatonctl submit` in that directory needs no `--competition`.
enum CompetitionMarker {
    static let fileName = ".hekaton-competition"

    /// The name recorded in `directory`, or nil when there is none.
    static func read(in directory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        let name = String(decoding: data, as: UTF8.self).trimmed
        return name.isEmpty ? nil : name
    }

    static func write(_ name: String, in directory: String) throws(CommandFailure) {
        let path = directory + "/" + fileName
        guard FileManager.default.createFile(atPath: path, contents: Data((name + "\n").utf8)) else {
            throw CommandFailure(message: "cannot write \(path)", exitCode: 74)
        }
    }
}
