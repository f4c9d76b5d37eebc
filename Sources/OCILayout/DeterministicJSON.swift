import Foundation

/// The bytes of the JSON documents this module writes. Keys sorted and slashes unescaped, so
/// the same document always hashes the same and media types read as the spec writes them.
enum DeterministicJSON {
    static func encode(_ value: some Encodable, what: String) throws(OCILayoutError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw OCILayoutError(.ioFailed, "cannot encode the \(what) as JSON: \(error)")
        }
    }
}
