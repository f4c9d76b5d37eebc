/// The uids one daemon instance's sandboxes run as: a range no other instance on the machine
/// has (`InstanceRegistry` hands them out), in which each submission has two uids that are
/// never used for anything else: one for its own code, one for its scoring.
///
/// The ranges lie in 0x70000000..<0x7FFE0000, which systemd leaves unused (below it are
/// nspawn's container ranges, above it its foreign range and the uids tools treat as negative).
public struct SandboxUIDRange: Sendable, Equatable {
    public let first: UInt32
    public let count: UInt32

    public static let slotSize: UInt32 = 1 << 20
    static let base: UInt32 = 0x7000_0000
    /// How many instances one machine can hold.
    public static let slots = 255

    /// The range of the registry's slot `slot`.
    public init(slot: Int) {
        precondition((0..<Self.slots).contains(slot), "slot \(slot) is outside 0..<\(Self.slots)")
        first = Self.base + UInt32(slot) * Self.slotSize
        count = Self.slotSize
    }

    public var last: UInt32 { first + count - 1 }

    /// Submission `submission`'s uid (or its scoring's). Past the end of the range it throws:
    /// wrapping around would hand a new submission the uid that owns an old one's files.
    public func uid(submission: Int64, scoring: Bool) throws(SandboxError) -> UInt32 {
        let offset = submission * 2 + (scoring ? 1 : 0)
        guard submission >= 0, offset < Int64(count) else {
            throw SandboxError(.uidsExhausted, "submission \(submission) has no sandbox uid: this instance's range \(first)-\(last) holds \(count / 2) submissions, each with its own uid for good, and it is used up; start a new instance (a new state directory) for new submissions")
        }
        return first + UInt32(offset)
    }
}
