import Foundation
@testable import OCILayout

/// What the image tests share: a busybox base layout made once by the repository's script,
/// a small artifact tree, and requests that put one on the other.
enum Fixture {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let baseReference = "base"

    private static let baseScratch = Result { try Scratch("base") }

    /// Built once per test run (the script takes a second or two); the tests only read it,
    /// and it is removed when the test process exits.
    private static let builtBase: Result<String, ToolFailure> = {
        do {
            let scratch = try baseScratch.get()
            atexit { try? Fixture.baseScratch.get().remove() }
            let layout = scratch("layout")
            try Tools.run("bash", [repository + "/scripts/busybox-base-image", layout, baseReference])
            return .success(layout)
        } catch {
            return .failure(ToolFailure(description: "cannot build the base image: \(error)"))
        }
    }()

    static func baseLayout() throws -> String {
        try builtBase.get()
    }

    /// Everything a layer has to carry: plain and executable files, nesting, an empty
    /// directory, a link inside the tree, and a file larger than one write chunk.
    static let files: [(path: String, contents: Data, mode: mode_t)] = [
        ("x", Data("hello from x\n".utf8), 0o644),
        ("run.sh", Data("#!/bin/sh\necho \"run in $(pwd)\"\n".utf8), 0o755),
        ("nested/deeper/data.bin", Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }), 0o600),
    ]
    static let link = (path: "nested/link", target: "deeper/data.bin")
    static let emptyDirectory = "nested/empty"

    static func makeContent(in scratch: Scratch, at relative: String = "content") throws -> String {
        for file in files { try scratch.write("\(relative)/\(file.path)", file.contents, mode: file.mode) }
        try scratch.symlink("\(relative)/\(link.path)", to: link.target)
        try FileManager.default.createDirectory(atPath: scratch("\(relative)/\(emptyDirectory)"), withIntermediateDirectories: true)
        return scratch(relative)
    }

    static let created = Date(timeIntervalSince1970: 1_795_910_400)  // 2026-11-29T00:00:00Z

    static func request(base: String, content: String, output: String, reference: String = "2026-11-29") -> OCIImageRequest {
        OCIImageRequest(baseLayout: base, baseReference: baseReference, content: content, prefix: "artifact", output: output,
                        reference: reference, entrypoint: ["/bin/sh", "/artifact/run.sh"], workingDir: "/artifact",
                        environment: ["ARTIFACT=/artifact"], exposedPorts: ["8080/tcp"], labels: ["org.hekaton.competition": "titanic", "org.hekaton.run": "42"],
                        created: created)
    }
}
