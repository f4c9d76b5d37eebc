import Foundation
@testable import HekatonDaemon
import Synchronization
import Testing

@Suite("Idle pages: what an idle daemon gives back")
struct IdlePagesTests {
    @Test("A line of /proc/self/maps is read; a field line of smaps is not a mapping")
    func mappingLines() throws {
        let text = try #require(IdlePages.Mapping(line: "55e8ad06e000-55e8afc95000 r-xp 00000000 fd:01 1234   /usr/sbin/hekatond\n"))
        #expect(text.start == 0x55e8ad06e000 && text.end == 0x55e8afc95000)
        #expect(text.permissions == "r-xp" && text.path == "/usr/sbin/hekatond")
        #expect(text.isReadOnlyPrivateFile)
        #expect(IdlePages.Mapping(line: "7f77f2e00000-7f77f2ec5000 r--p 00000000 fd:01 99 /usr/lib/libcrypto.so.3")?.isReadOnlyPrivateFile == true)
        // Written data, shared memory (the database's), anonymous memory and the kernel's pages are never released.
        #expect(IdlePages.Mapping(line: "55e8afdc2000-55e8b230b000 rw-p 02d53000 fd:01 1234 /usr/sbin/hekatond")?.isReadOnlyPrivateFile == false)
        #expect(IdlePages.Mapping(line: "7f0000000000-7f0000008000 rw-s 00000000 fd:01 77 /var/lib/hekaton/hekaton.sqlite3-shm")?.isReadOnlyPrivateFile == false)
        #expect(IdlePages.Mapping(line: "55e8b230b000-55e8b2463000 rw-p 00000000 00:00 0")?.isReadOnlyPrivateFile == false)
        #expect(IdlePages.Mapping(line: "7ffd1e5f3000-7ffd1e5f5000 r-xp 00000000 00:00 0                          [vdso]")?.isReadOnlyPrivateFile == false)
        #expect(IdlePages.Mapping(line: "Anonymous:             0 kB") == nil)
        #expect(IdlePages.Mapping(line: "VmFlags: rd ex mr mw me sd") == nil)
        #expect(IdlePages.Mapping(line: "zzzz-1000 r-xp 0 0 0 /x") == nil)
    }

    @Test("This process's releasable mappings are read-only file mappings holding no page of their own, and releasing them lowers its file-backed resident memory")
    func releasesThisProcess() throws {
        let releasable = IdlePages.releasable()
        #expect(!releasable.isEmpty, "a running test binary has code mapped from files")
        for mapping in releasable {
            #expect(mapping.isReadOnlyPrivateFile, "\(mapping)")
        }
        // Relocated read-only data (RELRO) is a read-only file mapping with pages of its own: never released.
        // Read to its end: /proc's files say their size is 0.
        let maps = String(decoding: try #require(try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd()), as: UTF8.self)
        let readOnlyFileMappings = maps.split(separator: "\n").compactMap { IdlePages.Mapping(line: String($0)) }.filter(\.isReadOnlyPrivateFile)
        #expect(releasable.count <= readOnlyFileMappings.count)
        let before = try Self.residentFileKilobytes()
        let released = IdlePages.release()
        let after = try Self.residentFileKilobytes()
        #expect(released > 0)
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
    }

    @Test("The release waits for a quiet period: activity moves it on, and one quiet period gives one release")
    func quietRelease() async throws {
        let releases = Mutex(0)
        let quiet = QuietRelease(quietPeriod: .milliseconds(50)) { releases.withLock { $0 += 1 } }
        for _ in 0..<5 { quiet.activity() }
        try await Self.waitUntil("the first release") { releases.withLock { $0 } >= 1 }
        #expect(releases.withLock { $0 } == 1, "five activities in a row are one quiet period")
        quiet.activity()
        try await Self.waitUntil("the second release") { releases.withLock { $0 } >= 2 }
        #expect(releases.withLock { $0 } == 2)
    }

    static func residentFileKilobytes() throws -> Int {
        let status = String(decoding: try #require(try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/status")).readToEnd()), as: UTF8.self)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }

    static func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct WaitTimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }
}
