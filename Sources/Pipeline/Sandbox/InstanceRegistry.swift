import Foundation

/// Which daemon instance on this machine owns which sandbox uid range: a directory of root's
/// with one file per taken slot (`slot-K`, naming the instance and its state directory).
/// Slots are taken under a lock, so no two instances ever share one; a slot whose state
/// directory no longer holds its instance (the directory was deleted) is free again, since
/// no file of its uids remains.
public struct InstanceRegistry: Sendable {
    public let directory: String

    public static let system = InstanceRegistry(directory: "/var/lib/hekaton-instances")

    public init(directory: String) {
        self.directory = directory
    }

    struct Entry: Codable, Equatable {
        var instance: String
        var stateDirectory: String
    }

    /// Makes sure `slot` is this instance's, taking it when free (a registry that was wiped),
    /// and following a state directory that moved. Throws when another live instance has it,
    /// for instance a copy of this state directory.
    func confirm(slot: Int, _ entry: Entry) throws(SandboxError) {
        try locked { () throws(SandboxError) in
            if let held = read(slot), held != entry, Self.isLive(held) {
                throw SandboxError(.instance, "the sandbox uids of \(entry.stateDirectory) (slot \(slot) in \(directory)) are registered to \(held.stateDirectory), which holds the same instance or another; two instances sharing uids could read each other's files. If \(entry.stateDirectory) is a copy, remove its instance.json to give it an identity and uids of its own")
            }
            try write(slot, entry)
        }
    }

    /// Takes the first free slot for `entry`. An instance id that a live slot already names is
    /// refused, so that ids stay unique on the machine.
    func claim(_ entry: Entry) throws(SandboxError) -> Int {
        try locked { () throws(SandboxError) -> Int in
            var free: Int?
            for slot in 0..<SandboxUIDRange.slots {
                guard let held = read(slot), Self.isLive(held) else {
                    if free == nil { free = slot }
                    continue
                }
                if held.instance == entry.instance {
                    throw SandboxError(.instance, "instance id \(entry.instance) is already registered to \(held.stateDirectory)")
                }
            }
            guard let free else {
                throw SandboxError(.instance, "every one of the \(SandboxUIDRange.slots) sandbox uid ranges in \(directory) is taken by a state directory that still exists; remove the state directories of instances no longer used")
            }
            try write(free, entry)
            return free
        }
    }

    /// A state directory that still holds the instance the entry names.
    static func isLive(_ entry: Entry) -> Bool {
        SandboxInstance.stored(in: entry.stateDirectory)?.id == entry.instance
    }

    func read(_ slot: Int) -> Entry? {
        FileManager.default.contents(atPath: path(slot)).flatMap { try? JSONDecoder().decode(Entry.self, from: $0) }
    }

    private func path(_ slot: Int) -> String { directory + "/slot-\(slot)" }

    private func write(_ slot: Int, _ entry: Entry) throws(SandboxError) {
        do {
            try JSONEncoder().encode(entry).write(to: URL(fileURLWithPath: path(slot)), options: .atomic)
        } catch {
            throw SandboxError(.instance, "cannot write \(path(slot)): \(error.localizedDescription)")
        }
    }

    private func locked<T>(_ body: () throws(SandboxError) -> T) throws(SandboxError) -> T {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SandboxError(.instance, "cannot create the instance registry \(directory): \(error.localizedDescription)")
        }
        let fd = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SandboxError(.instance, "cannot open \(directory)/lock: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else {
            throw SandboxError(.instance, "cannot lock \(directory)/lock: \(String(cString: strerror(errno)))")
        }
        return try body()
    }
}
