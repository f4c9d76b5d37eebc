import ControlAPI
import ControlClient
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Datasets, lineage, fsck and gc through hekatonctl")
struct DatasetEndToEndTests {
    func makeData(_ root: URL, files: [String: String]) throws -> URL {
        let data = root.appendingPathComponent("data-\(UUID().uuidString.prefix(6))")
        for (path, content) in files {
            let url = data.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return data
    }

    func register(_ arguments: [String], _ daemon: DaemonUnderTest) throws -> (CommandResult, DatasetVersionInfo?) {
        let result = try hekatonctl(["dataset", "register", "--json"] + arguments, socket: daemon.socketPath)
        return (result, try? JSONDecoder().decode(DatasetVersionInfo.self, from: Data(result.stdout.utf8)))
    }

    @Test("Register, unchanged content creates nothing, list, show, lineage both ways")
    func registerAndTrace() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let data = try makeData(daemon.root, files: ["train/a.csv": "1,2\n", "eval/labels.csv": "3\n"])
        let (first, v1) = try register(["demo", "--tag", "day1", data.path], daemon)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(v1?.created == true)
        #expect(v1?.fileCount == 2)
        let (again, same) = try register(["demo", data.path], daemon)
        #expect(again.status == 0)
        #expect(same?.created == false)
        #expect(same?.tag == "day1")
        let plain = try hekatonctl(["dataset", "register", "demo", data.path], socket: daemon.socketPath)
        #expect(plain.stdout.contains("unchanged"))

        let detail = try daemon.client.call("GET", "/v1/datasets/demo", as: DatasetDetail.self)
        #expect(detail.versions.map(\.tag) == ["day1"], "nothing was created by the unchanged registrations")

        let tree = try hekatonctl(["lineage", "dataset:demo@day1", "--downstream"], socket: daemon.socketPath)
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(tree.stdout.contains("demo@day1"))
        let dot = try hekatonctl(["lineage", "dataset:demo@day1", "--format", "dot"], socket: daemon.socketPath)
        let rendered = try runCommand("/usr/bin/dot", ["-Tsvg"], input: Data(dot.stdout.utf8))
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout.contains("<svg"))
        let unknown = try hekatonctl(["lineage", "dataset:nope@x"], socket: daemon.socketPath)
        #expect(unknown.status == 1)
        try daemon.expectHealthyStore()
    }

    @Test("--upload sends the directory over the socket: the same digest as by path, from anywhere, hosts only")
    func upload() throws {
        let daemon = try DaemonUnderTest(configuration: "socket_mode: \"0666\"\n")
        defer { daemon.stop() }
        var files = ["train/a.csv": "1,2\n", "eval/labels.csv": "3\n", "deep/er/x.bin": String(repeating: "z", count: 300_000)]
        let data = try makeData(daemon.root, files: files)
        let (sent, uploaded) = try register(["demo", "--tag", "up1", "--upload", data.path], daemon)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(uploaded?.created == true)
        #expect(uploaded?.fileCount == 3)
        #expect(uploaded?.source?.hasPrefix("uploaded by ") == true, "\(uploaded?.source ?? "-")")
        // The daemon's own reading of the same directory finds the same content.
        let (byPath, same) = try register(["demo", data.path], daemon)
        #expect(byPath.status == 0, "\(byPath.stderr)")
        #expect(same?.created == false)
        #expect(same?.rootDigest == uploaded?.rootDigest)
        // A change is a new version; nothing unpacked is left behind.
        files["train/a.csv"] = "1,2\n3,4\n"
        let changed = try makeData(daemon.root, files: files)
        let (_, second) = try register(["demo", "--upload", changed.path], daemon)
        #expect(second?.created == true)
        #expect(second?.rootDigest != uploaded?.rootDigest)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/tmp")) ?? []
        #expect(!leftovers.contains { $0.hasPrefix("dataset-") }, "\(leftovers)")
        let spooled = (try? FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/tmp/uploads")) ?? []
        #expect(spooled.isEmpty, "\(spooled)")
        // A participant is refused from the request's head (77), and nothing is created.
        let refused = try runCommand("/usr/sbin/runuser", ["-u", "nobody", "--", BuiltProducts.hekatonctl, "dataset", "register",
                                                           "demo", "--upload", data.path], environment: ["HEKATON_SOCKET": daemon.socketPath])
        #expect(refused.status == 77, "\(refused.stdout) \(refused.stderr)")
        let detail = try daemon.client.call("GET", "/v1/datasets/demo", as: DatasetDetail.self)
        #expect(detail.versions.map(\.tag) == ["up1", "v2"])
        try daemon.expectHealthyStore()
    }

    @Test("Bad names, tags and paths are refused with a clear error and change nothing", arguments: [
        (["a/b"], "'/'"), (["..", ], "'..'"), (["bad\u{7}name"], "control"), ([String(repeating: "n", count: 200)], "long"),
        (["ok", "--tag", "x/y"], "'/'"),
    ] as [([String], String)])
    func badNames(arguments: [String], message: String) throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let data = try makeData(daemon.root, files: ["a": "1"])
        let result = try hekatonctl(["dataset", "register"] + arguments + [data.path], socket: daemon.socketPath)
        #expect(result.status != 0)
        #expect(result.stderr.lowercased().contains(message.lowercased()), "\(result.stderr)")
        #expect(try daemon.client.call("GET", "/v1/datasets", as: DatasetList.self).datasets.isEmpty)
        try daemon.expectHealthyStore()
    }

    @Test("Missing, unreadable and escaping paths are refused naming the path")
    func badPaths() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let missing = try hekatonctl(["dataset", "register", "demo", "/nonexistent/data"], socket: daemon.socketPath)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("/nonexistent/data"))

        let escaping = try makeData(daemon.root, files: ["a.csv": "1"])
        try FileManager.default.createSymbolicLink(atPath: escaping.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        let link = try hekatonctl(["dataset", "register", "demo", escaping.path], socket: daemon.socketPath)
        #expect(link.status == 1)
        #expect(link.stderr.contains("passwd"), "\(link.stderr)")

        // Root reads anything chmod forbids; this file refuses reads even to root.
        let unreadable = try hekatonctl(["dataset", "register", "demo", "/proc/sys/vm/drop_caches"], socket: daemon.socketPath)
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.contains("drop_caches"), "\(unreadable.stderr)")
        #expect(try daemon.client.call("GET", "/v1/datasets", as: DatasetList.self).datasets.isEmpty)
        try daemon.expectHealthyStore()
    }

    @Test("Two registrations of the same name at once both succeed as distinct versions")
    func concurrentRegistrations() async throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let a = try makeData(daemon.root, files: ["x": "one"])
        let b = try makeData(daemon.root, files: ["x": "two"])
        let socket = daemon.socketPath
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for data in [a, b] { group.addTask { try hekatonctl(["dataset", "register", "demo", data.path], socket: socket) } }
            return try await group.reduce(into: [CommandResult]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let versions = try daemon.client.call("GET", "/v1/datasets/demo", as: DatasetDetail.self).versions
        #expect(Set(versions.map(\.tag)) == ["v1", "v2"])
        #expect(Set(versions.map(\.rootDigest)).count == 2)
        try daemon.expectHealthyStore()
    }

    @Test("fsck finds a changed blob and a deleted one")
    func fsck() throws {
        let daemon = try DaemonUnderTest()
        defer { daemon.stop() }
        let data = try makeData(daemon.root, files: ["a": "alpha", "b": "beta", "c": "gamma"])
        _ = try register(["demo", data.path], daemon)
        let healthy = try hekatonctl(["fsck"], socket: daemon.socketPath)
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: daemon.stateDirectory + "/blobs/sha256")
            .filter { $0.count > 10 }.map { daemon.stateDirectory + "/blobs/sha256/" + $0 }
        let changed = try #require(blobs.first { (try? String(contentsOfFile: $0, encoding: .utf8)) == "alpha" })
        let deleted = try #require(blobs.first { (try? String(contentsOfFile: $0, encoding: .utf8)) == "beta" })
        chmod(changed, 0o644)
        try "tampered".write(toFile: changed, atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: deleted)
        let broken = try hekatonctl(["fsck", "--json"], socket: daemon.socketPath)
        #expect(broken.status == 1)
        let report = try JSONDecoder().decode(FsckReport.self, from: Data(broken.stdout.utf8))
        #expect(report.corrupted.map(\.path) == [changed])
        #expect(report.corrupted.first?.usedBy == "file a of dataset demo@v1")
        #expect(report.missing.map(\.path) == [deleted])
        #expect(report.missing.first?.usedBy == "file b of dataset demo@v1")
        let text = try hekatonctl(["fsck"], socket: daemon.socketPath)
        #expect(text.status == 1)
        #expect(text.stdout.contains("corrupted: \(changed)"), "\(text.stdout)")
        #expect(text.stdout.contains("file a of dataset demo@v1"), "\(text.stdout)")
    }

    @Test("Killed while storing a large blob, the store and the records stay consistent and the next registration succeeds")
    func crashDuringRegistration() throws {
        let root = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var daemon = try DaemonUnderTest(root: root)
        let data = root.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // 2 × 384 MiB of distinct bytes: long enough to be caught mid-copy.
        for index in 0..<2 {
            let handle = try FileHandle(forWritingTo: {
                let url = data.appendingPathComponent("part-\(index)")
                FileManager.default.createFile(atPath: url.path, contents: nil)
                return url
            }())
            var block = [UInt8](repeating: UInt8(index), count: 1 << 20)
            for chunk in 0..<384 {
                block[0] = UInt8(chunk & 0xff)
                block[1] = UInt8(chunk >> 8)
                handle.write(Data(block))
            }
            try handle.close()
        }
        let registration = Process()
        registration.executableURL = URL(fileURLWithPath: BuiltProducts.hekatonctl)
        registration.arguments = ["dataset", "register", "big", data.path]
        registration.environment = ["HEKATON_SOCKET": daemon.socketPath]
        registration.standardOutput = FileHandle.nullDevice
        registration.standardError = FileHandle.nullDevice
        try registration.run()
        let temporary = daemon.stateDirectory + "/blobs/tmp"
        try waitUntil("a blob to be half written", timeout: .seconds(60), poll: .milliseconds(2)) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
            return files.contains { name in
                ((try? FileManager.default.attributesOfItem(atPath: temporary + "/" + name)[.size] as? NSNumber)?.intValue ?? 0) > 1 << 20
            }
        }
        daemon.signal(SIGKILL)
        _ = try daemon.waitForExit()
        registration.waitUntilExit()
        #expect(registration.terminationStatus != 0, "the client sees the registration fail")
        try? FileManager.default.removeItem(atPath: daemon.notify.path)
        daemon = try DaemonUnderTest(root: root)
        defer { daemon.stop() }

        let fsck = try hekatonctl(["fsck", "--json"], socket: daemon.socketPath)
        let report = try JSONDecoder().decode(FsckReport.self, from: Data(fsck.stdout.utf8))
        #expect(report.corrupted.isEmpty, "no blob has content that differs from its name")
        #expect(report.missing.isEmpty, "no version points at a missing blob")
        #expect(try daemon.client.call("GET", "/v1/datasets", as: DatasetList.self).datasets.isEmpty, "no version was recorded")

        let (again, version) = try register(["big", data.path], daemon)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(version?.fileCount == 2)
        #expect(try hekatonctl(["fsck"], socket: daemon.socketPath).status == 0)
        let gc = try hekatonctl(["gc", "--grace", "0s", "--json"], socket: daemon.socketPath)
        #expect(gc.status == 0, "\(gc.stderr)")
        try daemon.expectHealthyStore()  // gc removed nothing that is referenced
    }
}
