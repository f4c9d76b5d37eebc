import Foundation
import Testing
@testable import OCILayout

/// Inputs a build must refuse, each with an error that names the file and what to do, and
/// without leaving anything at the output.
@Suite("Refused inputs", .enabled(if: Tools.available, Comment(rawValue: Tools.installHint)))
struct OCIImageRefusalTests {
    /// Builds `request` and returns its error; an image built instead fails the test.
    static func refusal(_ request: OCIImageRequest, sourceLocation: SourceLocation = #_sourceLocation) throws -> OCILayoutError {
        let error = #expect(throws: OCILayoutError.self, sourceLocation: sourceLocation) { try OCIImageBuilder.build(request) }
        return try #require(error, sourceLocation: sourceLocation)
    }

    /// A copy of the shared base this test may damage; copied, not linked, so the damage stays here.
    static func copyOfBase(in scratch: Scratch) throws -> String {
        let copy = scratch("base")
        try FileManager.default.copyItem(atPath: try Fixture.baseLayout(), toPath: copy)
        return copy
    }

    /// The blob of the base's one layer.
    static func layerBlob(of base: String) throws -> String {
        let manifest = try Tools.json("skopeo", ["inspect", "--raw", "oci:\(base):\(Fixture.baseReference)"])
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        let digest = try #require(layers.first?["digest"] as? String)
        return base + "/blobs/sha256/" + digest.dropFirst("sha256:".count)
    }

    @Test func aMissingBaseSaysHowToMakeOne() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let error = try Self.refusal(Fixture.request(base: scratch("nowhere"), content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        #expect(error.code == .baseLayoutMissing)
        #expect(error.message.contains("scripts/busybox-base-image"))

        try FileManager.default.createDirectory(atPath: scratch("empty-base"), withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: scratch("empty-base/oci-layout")))
        let noIndex = try Self.refusal(Fixture.request(base: scratch("empty-base"), content: scratch("content"), output: scratch("out")))
        #expect(noIndex.code == .baseLayoutMissing)
        #expect(noIndex.message.contains("has no index.json"))
        #expect(!FileManager.default.fileExists(atPath: scratch("out")))
    }

    @Test func aCorruptBaseLayerIsNamed() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let base = try Self.copyOfBase(in: scratch)
        let blob = try Self.layerBlob(of: base)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: blob))
        try handle.seek(toOffset: 1000)
        try handle.write(contentsOf: Data("corrupt".utf8))
        try handle.close()

        let error = try Self.refusal(Fixture.request(base: base, content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        #expect(error.code == .blobCorrupt)
        #expect(error.path == blob)
        #expect(error.message.contains(blob) && error.message.contains("layer 1 of 1 of the base") && error.message.contains("does not hash to"),
                "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: scratch("out")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains("partial") } == [])
    }

    @Test func aTruncatedBaseConfigIsNamed() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let base = try Self.copyOfBase(in: scratch)
        let manifest = try Tools.json("skopeo", ["inspect", "--raw", "oci:\(base):\(Fixture.baseReference)"])
        let digest = try #require((manifest["config"] as? [String: Any])?["digest"] as? String)
        let blob = base + "/blobs/sha256/" + digest.dropFirst("sha256:".count)
        try Data(try Data(contentsOf: URL(fileURLWithPath: blob)).dropLast(5)).write(to: URL(fileURLWithPath: blob))

        let error = try Self.refusal(Fixture.request(base: base, content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        #expect(error.code == .blobCorrupt)
        #expect(error.message.contains(blob) && error.message.contains("the config of 'base'") && error.message.contains("but its descriptor says"),
                "\(error.message)")
    }

    @Test func aMissingBaseBlobIsNamed() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let base = try Self.copyOfBase(in: scratch)
        let blob = try Self.layerBlob(of: base)
        try FileManager.default.removeItem(atPath: blob)
        let error = try Self.refusal(Fixture.request(base: base, content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        #expect(error.code == .blobMissing)
        #expect(error.path == blob)
    }

    @Test func aMissingContentDirectory() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let error = try Self.refusal(Fixture.request(base: try Fixture.baseLayout(), content: scratch("absent"), output: scratch("out")))
        #expect(error.code == .invalidContent)
        #expect(error.message.contains(scratch("absent")))
        #expect(!FileManager.default.fileExists(atPath: scratch("out")))
    }

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "nested/../../x"])
    func aLinkLeavingTheContentIsRefused(target: String) throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let content = try Fixture.makeContent(in: scratch)
        try scratch.symlink("content/escape", to: target)
        let error = try Self.refusal(Fixture.request(base: try Fixture.baseLayout(), content: content, output: scratch("out")))
        #expect(error.code == .invalidContent)
        #expect(error.path == content + "/escape", "\(error.message)")
    }

    @Test func aWhiteoutNameIsRefused() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let content = try Fixture.makeContent(in: scratch)
        try scratch.write("content/nested/.wh.x", Data())
        let error = try Self.refusal(Fixture.request(base: try Fixture.baseLayout(), content: content, output: scratch("out")))
        #expect(error.code == .invalidContent)
        #expect(error.message.contains(".wh."))
    }

    @Test func aNonEmptyOutputIsLeftAlone() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        try scratch.write("out/keep.txt", Data("mine".utf8))
        let error = try Self.refusal(Fixture.request(base: try Fixture.baseLayout(), content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        #expect(error.code == .outputNotEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch("out")) == ["keep.txt"])
    }

    @Test func anOutputInsideTheContentIsRefused() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        let content = try Fixture.makeContent(in: scratch)
        let error = try Self.refusal(Fixture.request(base: try Fixture.baseLayout(), content: content, output: content + "/image"))
        #expect(error.code == .invalidRequest)
    }

    @Test func anEmptyOutputDirectoryIsFilled() throws {
        let scratch = try Scratch("refuse")
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch("out"), withIntermediateDirectories: true)
        let image = try OCIImageBuilder.build(Fixture.request(base: try Fixture.baseLayout(), content: try Fixture.makeContent(in: scratch),
                                                              output: scratch("out")))
        #expect(FileManager.default.fileExists(atPath: image.layout + "/index.json"))
    }

    @Test(arguments: [
        (prefix: "../escape", reference: "latest", environment: [String]()),
        (prefix: "artifact/./x", reference: "latest", environment: []),
        (prefix: ".wh.bin", reference: "latest", environment: []),
        (prefix: "artifact", reference: "", environment: []),
        (prefix: "artifact", reference: "-latest", environment: []),
        (prefix: "artifact", reference: "has space", environment: []),
        (prefix: "artifact", reference: "latest", environment: ["NOVALUE"]),
        (prefix: "artifact", reference: "latest", environment: ["=value"]),
    ])
    func anUnusableRequestIsRefusedBeforeAnythingIsRead(prefix: String, reference: String, environment: [String]) throws {
        var request = Fixture.request(base: "/nonexistent", content: "/nonexistent", output: "/nonexistent/out", reference: reference)
        request.prefix = prefix
        request.environment = environment
        #expect(try Self.refusal(request).code == .invalidRequest)
    }

    @Test(arguments: ["0", "65536", "8080/icmp", "http", "-1", "80/", "/tcp", "8080/tcp/x", "０８０"])
    func anExposedPortOutsideTheRangeIsRefused(port: String) throws {
        var request = Fixture.request(base: "/nonexistent", content: "/nonexistent", output: "/nonexistent/out")
        request.exposedPorts = ["8080/tcp", port]
        let error = try Self.refusal(request)
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("'\(port)'") && error.message.contains("1…65535"), "\(error.message)")
    }
}
