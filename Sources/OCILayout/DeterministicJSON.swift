import Foundation
import HekatonSupport

/// The bytes of the JSON documents this module writes, which are hashed to name them: the
/// value as a JSON tree, written by the one canonical rule (`CanonicalJSON`). Foundation only
/// turns the `Encodable` into a tree; it has no say over the bytes.
enum DeterministicJSON {
    static func encode(_ value: some Encodable, what: String) throws(OCILayoutError) -> [UInt8] {
        do {
            let tree = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
            return try CanonicalJSON.encode(tree)
        } catch {
            throw OCILayoutError(.ioFailed, "cannot encode the \(what) as JSON: \(error)")
        }
    }
}
