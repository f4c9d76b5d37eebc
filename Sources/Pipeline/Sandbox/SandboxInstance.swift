import Foundation

/// This daemon instance as the machine sees it. Its id, kept in the state directory
/// (`instance.json`) so that it stays the same across restarts, names its control groups;
/// under root it also owns a range of sandbox uids, registered machine-wide. Two daemons on
/// one machine (staging beside production, tests beside the service) thus never share a
/// control group or a uid, whatever their job and submission ids.
public struct SandboxInstance: Sendable, Equatable {
    public let id: String
    /// Nil when sandboxes do not switch uids (the daemon is not root).
    public let uids: SandboxUIDRange?

    public static let fileName = "instance.json"

    struct Stored: Codable {
        var id: String
        var uidSlot: Int?
    }

    /// Reads this state directory's instance, or makes one; with a registry (root), makes
    /// sure it owns a uid range no other instance has.
    public static func establish(stateDirectory: String, registry: InstanceRegistry?) throws(SandboxError) -> SandboxInstance {
        var stored = Self.stored(in: stateDirectory) ?? Stored(id: "h" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(15).lowercased())
        guard let registry else {
            try save(stored, in: stateDirectory)
            return SandboxInstance(id: stored.id, uids: nil)
        }
        let entry = InstanceRegistry.Entry(instance: stored.id, stateDirectory: stateDirectory)
        if let slot = stored.uidSlot, (0..<SandboxUIDRange.slots).contains(slot) {
            try registry.confirm(slot: slot, entry)
        } else {
            // Saved first: the registry counts a slot as taken while its state directory holds the instance.
            try save(stored, in: stateDirectory)
            stored.uidSlot = try registry.claim(entry)
        }
        try save(stored, in: stateDirectory)
        return SandboxInstance(id: stored.id, uids: SandboxUIDRange(slot: stored.uidSlot!))
    }

    static func stored(in stateDirectory: String) -> Stored? {
        FileManager.default.contents(atPath: stateDirectory + "/" + fileName).flatMap { try? JSONDecoder().decode(Stored.self, from: $0) }
    }

    private static func save(_ stored: Stored, in stateDirectory: String) throws(SandboxError) {
        let path = stateDirectory + "/" + fileName
        do {
            try JSONEncoder().encode(stored).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SandboxError(.instance, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
