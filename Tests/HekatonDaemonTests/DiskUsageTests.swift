import Foundation
@testable import HekatonDaemon
import Testing

@Suite("The state directory's disk use")
struct DiskUsageTests {
    @Test("Each category's allocated bytes, a hard-linked file counted once under the first that reaches it, links not followed")
    func categories() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("disk-usage-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["blobs/ab", "runs/7/model", "logs", "images"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        let megabyte = Data(repeating: 7, count: 1 << 20)
        try megabyte.write(to: URL(fileURLWithPath: root + "/blobs/ab/cdef"))
        // A run holds the blob by a hard link: the bytes are the store's, counted there once.
        try FileManager.default.linkItem(atPath: root + "/blobs/ab/cdef", toPath: root + "/runs/7/model/weights.bin")
        try Data(repeating: 1, count: 256 << 10).write(to: URL(fileURLWithPath: root + "/logs/job-1.log"))
        // A link out of the state directory is not followed.
        try FileManager.default.createSymbolicLink(atPath: root + "/images/outside", withDestinationPath: "/usr")
        let measured = Dictionary(uniqueKeysWithValues: DiskUsage.measure(root, at: Date()).bytes.map { ($0.name, $0.bytes) })
        #expect(measured["blobs"].map { $0 >= 1 << 20 && $0 < (1 << 20) + (64 << 10) } == true, "\(measured)")
        #expect(measured["runs"].map { $0 < 64 << 10 } == true, "the linked blob is not counted again: \(measured)")
        #expect(measured["logs"].map { $0 >= 256 << 10 } == true, "\(measured)")
        #expect(measured["images"].map { $0 < 64 << 10 } == true, "the link to /usr is not followed: \(measured)")
        #expect(measured["database"] == 0)
        #expect(DiskUsage.categories.map(\.name) == ["database", "blobs", "images", "environments", "artifacts", "runs", "logs"])
    }
}
