import Foundation
import Testing
@testable import SubmissionBundle

@Suite("BundleScanner")
struct BundleScannerTests {
    @Test func listsWhatTheRulesKeepInPathOrder() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        try directory.write("submission.py", "class Trainer: ...\n")
        try directory.write("run.sh", "#!/bin/sh\n", mode: 0o700)
        try directory.write("lib/helpers.py", "x = 1\n")
        try directory.makeDirectory("empty")
        try directory.symlink("lib/current", to: "../submission.py")
        try directory.write(".hekatonignore", "data/\n*.csv\n!keep.csv\n")
        try directory.write("data/train.csv", "1,2\n")
        try directory.write("keep.csv", "a\n")
        try directory.write("other.csv", "b\n")
        try directory.write(".git/config", "[core]\n")
        try directory.write("lib/__pycache__/helpers.cpython-311.pyc", "x")
        try directory.write("stale.pyc", "x")
        try directory.write(".venv/bin/python3", "x")
        try directory.write(".hekaton/state", "x")

        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 1 << 20)
        #expect(listing.entries == [
            BundleEntry(path: ".hekatonignore", kind: .file, size: 22),
            BundleEntry(path: "empty", kind: .directory, isExecutable: true),
            BundleEntry(path: "keep.csv", kind: .file, size: 2),
            BundleEntry(path: "lib", kind: .directory, isExecutable: true),
            BundleEntry(path: "lib/current", kind: .symlink(target: "../submission.py")),
            BundleEntry(path: "lib/helpers.py", kind: .file, size: 6),
            BundleEntry(path: "run.sh", kind: .file, isExecutable: true, size: 10),
            BundleEntry(path: "submission.py", kind: .file, size: 19),
        ])
        #expect(listing.totalBytes == 59)
        #expect(listing.fileCount == 5)
    }

    @Test func givenRulesReplaceTheIgnoreFile() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        try directory.write(".hekatonignore", "*.txt\n")
        try directory.write("a.txt", "a")
        try directory.write("b.log", "b")
        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 100, ignoreRules: IgnoreRules(parsing: "*.log\n"))
        #expect(listing.entries.map(\.path) == [".hekatonignore", "a.txt"])
    }

    @Test func reportsProgressPerFile() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        for index in 0..<5 { try directory.write("f\(index)", String(repeating: "x", count: 10)) }
        let seen = ProgressLog()
        _ = try BundleScanner.scan(directory: directory.path, maxBytes: 1000) { seen.append($0) }
        #expect(seen.values.count == 5)
        #expect(seen.values.last == BundleProgress(files: 5, bytes: 50))
    }

    // MARK: Refusals, each naming the path and what to do

    enum Hazard: String, CaseIterable, Sendable {
        case relativeLinkOut, absoluteLink, linkOutThroughAnotherLink, linkLoop, fifo, socket, characterDevice
    }

    @Test(arguments: Hazard.allCases)
    func refuses(_ hazard: Hazard) throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        try directory.write("submission.py", "")
        let culprit: String
        let expected: BundleError.Code
        switch hazard {
        case .relativeLinkOut:
            try directory.symlink("data/secrets", to: "../../etc/passwd")
            (culprit, expected) = ("data/secrets", .symlinkEscapes)
        case .absoluteLink:
            try directory.symlink("passwd", to: "/etc/passwd")
            (culprit, expected) = ("passwd", .symlinkEscapes)
        case .linkOutThroughAnotherLink:
            // `a/up` is the root itself, so `a/up/..` is its parent, though the text looks like `a`.
            try directory.symlink("a/up", to: "..")
            try directory.symlink("b", to: "a/up/..")
            (culprit, expected) = ("b", .symlinkEscapes)
        case .linkLoop:
            try directory.symlink("loop1", to: "loop2")
            try directory.symlink("loop2", to: "loop1")
            (culprit, expected) = ("loop1", .symlinkEscapes)
        case .fifo:
            #expect(mkfifo(directory("pipe"), 0o644) == 0)
            (culprit, expected) = ("pipe", .unsupportedFileType)
        case .socket:
            try Self.bindSocket(at: directory("control.sock"))
            (culprit, expected) = ("control.sock", .unsupportedFileType)
        case .characterDevice:
            // Needs CAP_MKNOD; without it there is nothing to test here.
            guard mknod(directory("null"), S_IFCHR | 0o600, dev_t(1 << 8 | 3)) == 0 else { return }  // 1:3, /dev/null
            (culprit, expected) = ("null", .unsupportedFileType)
        }
        let error = #expect(throws: BundleError.self) { try BundleScanner.scan(directory: directory.path, maxBytes: 1 << 20) }
        #expect(error?.code == expected)
        #expect(error?.path == directory(culprit))
        #expect(error?.message.contains(directory(culprit)) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(".hekatonignore") == true, "says what to do: \(error?.message ?? "")")

        // The same hazard, ignored, is no longer a problem.
        try directory.write(".hekatonignore", culprit + "\n")
        #expect(throws: Never.self) { try BundleScanner.scan(directory: directory.path, maxBytes: 1 << 20) }
    }

    @Test func linksThatStayInsideAreKept() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        try directory.write("models/v1/weights.bin", "w")
        try directory.symlink("models/latest", to: "v1")
        try directory.symlink("weights", to: "models/latest/weights.bin")
        try directory.symlink("self", to: ".")
        try directory.symlink("dangling", to: "not-yet-there")
        let listing = try BundleScanner.scan(directory: directory.path, maxBytes: 100)
        #expect(listing.entries.filter { if case .symlink = $0.kind { true } else { false } }.map(\.path)
                == ["dangling", "models/latest", "self", "weights"])
    }

    @Test(.enabled(if: geteuid() != 0, "root reads files whatever their mode"))
    func refusesUnreadableFiles() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        try directory.write("secret.key", "k", mode: 0o000)
        let error = #expect(throws: BundleError.self) { try BundleScanner.scan(directory: directory.path, maxBytes: 100) }
        #expect(error?.code == .unreadable)
        #expect(error?.message.contains(directory("secret.key")) == true)
    }

    @Test func refusesBundlesOverTheLimitNamingTheLargestFiles() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        for (name, size) in [("a.bin", 600), ("b.bin", 500), ("c.bin", 400), ("d.bin", 300), ("e.bin", 200), ("f.bin", 100)] {
            try directory.write("data/" + name, String(repeating: "x", count: size))
        }
        try directory.write("submission.py", "x")
        let error = #expect(throws: BundleError.self) { try BundleScanner.scan(directory: directory.path, maxBytes: 1024) }
        let message = try #require(error?.message)
        #expect(error?.code == .tooLarge)
        #expect(message.contains("2.1 KiB (2101 bytes)"), "the total: \(message)")
        #expect(message.contains("1.0 KiB (1024 bytes)"), "the limit: \(message)")
        let named = ["a.bin", "b.bin", "c.bin", "d.bin", "e.bin"].map { message.range(of: "data/" + $0)?.lowerBound }
        #expect(named.allSatisfy { $0 != nil } && named == named.sorted { $0! < $1! }, "five largest, largest first: \(message)")
        #expect(!message.contains("f.bin"))
        #expect(message.contains("add them to .hekatonignore"))
    }

    @Test func refusesSomethingThatIsNotADirectory() throws {
        let directory = try TemporaryDirectory("scan")
        defer { directory.remove() }
        let file = try directory.write("file", "x")
        let error = #expect(throws: BundleError.self) { try BundleScanner.scan(directory: file, maxBytes: 100) }
        #expect(error?.code == .notADirectory)
        #expect(error?.message.contains(file) == true)
    }

    static func bindSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }
}
