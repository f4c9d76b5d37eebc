import Foundation
@testable import Pipeline
import Testing

/// Instance identities and uid ranges: stable across restarts, never shared between two
/// live state directories, never wrapping.
@Suite("Sandbox instances and their uids")
struct SandboxInstanceTests {
    let root: URL
    let registry: InstanceRegistry

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hk-instance-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        registry = InstanceRegistry(directory: root.path + "/registry")
    }

    func stateDirectory(_ name: String) throws -> String {
        let path = root.path + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("An instance keeps its id and uid range across restarts; a second one gets others")
    func stableAndDistinct() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try stateDirectory("a"), b = try stateDirectory("b")
        let first = try SandboxInstance.establish(stateDirectory: a, registry: registry)
        #expect(try SandboxInstance.establish(stateDirectory: a, registry: registry) == first)
        let second = try SandboxInstance.establish(stateDirectory: b, registry: registry)
        #expect(second.id != first.id)
        let (x, y) = (try #require(first.uids), try #require(second.uids))
        #expect(x.last < y.first || y.last < x.first, "the ranges do not overlap")
        #expect(try x.uid(submission: 5, scoring: false) != (try x.uid(submission: 5, scoring: true)))
    }

    @Test("A copy of a live state directory is refused; once the original is gone its slot is free again")
    func copies() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try stateDirectory("a")
        let original = try SandboxInstance.establish(stateDirectory: a, registry: registry)
        let copy = try stateDirectory("copy")
        try FileManager.default.copyItem(atPath: a + "/instance.json", toPath: copy + "/instance.json")
        let error = try #require(throws: SandboxError.self) { try SandboxInstance.establish(stateDirectory: copy, registry: registry) }
        #expect(error.message.contains("remove its instance.json"), "\(error.message)")
        try FileManager.default.removeItem(atPath: a)
        #expect(try SandboxInstance.establish(stateDirectory: copy, registry: registry) == original, "the state directory moved")
        let fresh = try SandboxInstance.establish(stateDirectory: try stateDirectory("fresh"), registry: registry)
        #expect(fresh.uids != original.uids)
    }

    @Test("Without a registry (not root) there is an id and no uids")
    func notRoot() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let instance = try SandboxInstance.establish(stateDirectory: try stateDirectory("a"), registry: nil)
        #expect(instance.uids == nil)
        #expect(!instance.id.isEmpty)
    }

    @Test("The last submission of a range gets the last uid; the next one is refused, never wrapped")
    func exhausted() throws {
        let range = SandboxUIDRange(slot: 3)
        let last = Int64(range.count / 2 - 1)
        #expect(try range.uid(submission: last, scoring: true) == range.last)
        let error = try #require(throws: SandboxError.self) { try range.uid(submission: last + 1, scoring: false) }
        #expect(error.code == .uidsExhausted)
        #expect(error.message.contains("start a new instance"), "\(error.message)")
        #expect(SandboxUIDRange(slot: SandboxUIDRange.slots - 1).last < 0x7FFE_0000, "below systemd's foreign range")
    }

    @Test("A parent directory closed to others is named, with the permission to fix")
    func unreachable() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let closed = try stateDirectory("closed")
        chmod(closed, 0o700)
        let layout = PipelineLayout(stateDirectory: closed + "/state", sdkDirectory: "/usr", sandboxUIDs: SandboxUIDRange(slot: 0))
        let error = try #require(throws: SandboxError.self) { try layout.checkSandboxesCanReach() }
        #expect(error.message.contains("\(closed) (mode 0700"), "\(error.message)")
        #expect(error.message.contains("chmod o+x \(closed)"))
        chmod(closed, 0o711)
        try layout.checkSandboxesCanReach()
        try PipelineLayout(stateDirectory: closed + "/state", sdkDirectory: "/usr").checkSandboxesCanReach()
    }
}
