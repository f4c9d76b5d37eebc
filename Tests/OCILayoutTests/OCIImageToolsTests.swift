import Foundation
import Testing
import TestSupport
@testable import OCILayout

/// The image as the tools that consume it see it: skopeo, umoci, and a sandbox running its busybox.
@Suite("Images read by skopeo and umoci", .enabled(if: Tools.available, Comment(rawValue: Tools.installHint)))
struct OCIImageToolsTests {
    /// One built image per test: its scratch directory, the layout, the reference.
    struct Built {
        let scratch: Scratch
        let image: OCIImage
        var layout: String { image.layout }
        var imageName: String { "\(image.layout):\(image.reference)" }
    }

    static func build() throws -> Built {
        let scratch = try Scratch("image")
        let content = try Fixture.makeContent(in: scratch)
        let image = try OCIImageBuilder.build(Fixture.request(base: try Fixture.baseLayout(), content: content, output: scratch("out")))
        return Built(scratch: scratch, image: image)
    }

    @Test func skopeoSeesTheBaseLayersPlusOneAndTheLabels() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let baseManifest = try Tools.json("skopeo", ["inspect", "--raw", "oci:\(try Fixture.baseLayout()):\(Fixture.baseReference)"])
        let baseLayers = try #require(baseManifest["layers"] as? [[String: Any]])

        let raw = try Tools.json("skopeo", ["inspect", "--raw", "oci:\(built.imageName)"])
        let layers = try #require(raw["layers"] as? [[String: Any]])
        #expect(layers.count == baseLayers.count + 1)
        #expect(layers.last?["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar")
        #expect(layers.last?["digest"] as? String == built.image.layerDigest)
        let annotations = try #require(raw["annotations"] as? [String: String])
        #expect(annotations["org.hekaton.competition"] == "titanic")
        #expect(annotations["org.opencontainers.image.ref.name"] == "2026-11-29")
        #expect(annotations["org.opencontainers.image.created"] == "2026-11-29T00:00:00Z")

        let inspected = try Tools.json("skopeo", ["inspect", "oci:\(built.imageName)"])
        #expect((inspected["Layers"] as? [String])?.count == baseLayers.count + 1)
        #expect(inspected["Digest"] as? String == built.image.manifestDigest)
        #expect(inspected["Labels"] as? [String: String] == ["org.hekaton.competition": "titanic", "org.hekaton.run": "42"])
        #expect(inspected["Created"] as? String == "2026-11-29T00:00:00Z")
        #expect((inspected["Env"] as? [String])?.contains("ARTIFACT=/artifact") == true)
    }

    @Test func umociUnpacksTheArtifactByteForByteOnTheBusyboxBase() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        try Tools.run("umoci", ["stat", "--image", built.imageName])
        let bundle = built.scratch("bundle")
        try Tools.run("umoci", ["unpack"] + Tools.rootless + ["--image", built.imageName, bundle])
        let rootfs = bundle + "/rootfs"

        for file in Fixture.files {
            let unpacked = "\(rootfs)/artifact/\(file.path)"
            #expect(FileManager.default.contents(atPath: unpacked) == file.contents, "\(file.path)")
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: unpacked)[.posixPermissions] as? Int)
            #expect(mode == (file.mode & 0o100 != 0 ? 0o755 : 0o644), "\(file.path)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(rootfs)/artifact/\(Fixture.link.path)") == Fixture.link.target)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: "\(rootfs)/artifact/\(Fixture.emptyDirectory)", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(FileManager.default.isExecutableFile(atPath: rootfs + "/bin/busybox"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: rootfs + "/bin/sh") == "busybox")

        // The runtime config umoci derives from the image config.
        let runtime = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle + "/config.json"))) as? [String: Any]
        let process = try #require(runtime?["process"] as? [String: Any])
        #expect(process["args"] as? [String] == ["/bin/sh", "/artifact/run.sh"])
        #expect(process["cwd"] as? String == "/artifact")
    }

    @Test(.enabled(if: Tools.bubblewrap, "needs bwrap: apt-get install bubblewrap"))
    func busyboxInTheImageReadsTheArtifact() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let bundle = built.scratch("bundle")
        try Tools.run("umoci", ["unpack"] + Tools.rootless + ["--image", built.imageName, bundle])
        let sandbox = ["--bind", bundle + "/rootfs", "/", "--proc", "/proc", "--dev", "/dev", "--chdir", "/artifact"]
        #expect(try Tools.run("bwrap", sandbox + ["/bin/busybox", "cat", "/artifact/x"]).text == "hello from x\n")
        #expect(try Tools.run("bwrap", sandbox + ["/bin/sh", "/artifact/run.sh"]).text == "run in /artifact\n")
    }

    @Test func skopeoCopiesTheImageToAnArchive() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let archive = built.scratch("image.tar")
        try Tools.run("skopeo", ["copy", "oci:\(built.imageName)", "oci-archive:\(archive):2026-11-29"])
        let copied = try Tools.json("skopeo", ["inspect", "oci-archive:\(archive):2026-11-29"])
        #expect(copied["Labels"] as? [String: String] == ["org.hekaton.competition": "titanic", "org.hekaton.run": "42"])
    }

    @Test func theOutputIsAValidLayoutWithOneNamedManifest() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let layout = try String(contentsOfFile: built.layout + "/oci-layout", encoding: .utf8)
        #expect(layout == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: built.layout + "/index.json"))) as? [String: Any]
        #expect(index?["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        let manifests = try #require(index?["manifests"] as? [[String: Any]])
        #expect(manifests.count == 1)
        #expect(manifests.first?["digest"] as? String == built.image.manifestDigest)
        #expect((manifests.first?["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == "2026-11-29")
        #expect((manifests.first?["platform"] as? [String: String])?["os"] == "linux")
        // No staging directory left next to the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: built.scratch.path).filter { $0.contains("partial") } == [])
        // Every blob is named by its content: umoci checks what it reads, so a full unpack proves it.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: built.layout + "/blobs/sha256")
        for blob in blobs {
            let sum = try Tools.run("sha256sum", [built.layout + "/blobs/sha256/" + blob]).text.prefix(64)
            #expect(String(sum) == blob)
        }
    }

    @Test func theSameRequestGivesTheSameDigests() throws {
        let scratch = try Scratch("determinism")
        defer { scratch.remove() }
        let base = try Fixture.baseLayout()
        // Two copies of the content, made at different times, so only what the layer should record can match.
        let first = try Fixture.makeContent(in: scratch, at: "first")
        Thread.sleep(forTimeInterval: 1.1)
        let second = try Fixture.makeContent(in: scratch, at: "second")
        let one = try OCIImageBuilder.build(Fixture.request(base: base, content: first, output: scratch("one")))
        let two = try OCIImageBuilder.build(Fixture.request(base: base, content: second, output: scratch("two")))
        #expect(one.manifestDigest == two.manifestDigest)
        #expect(one.configDigest == two.configDigest)
        #expect(one.layerDigest == two.layerDigest)
        #expect(one.layerDigest == one.diffID)

        var later = Fixture.request(base: base, content: first, output: scratch("three"))
        later.created = Fixture.created.addingTimeInterval(86_400)
        let three = try OCIImageBuilder.build(later)
        #expect(three.layerDigest == one.layerDigest)
        #expect(three.manifestDigest != one.manifestDigest)

        // What runs is part of the digest, and the order labels and ports are given in is not.
        var reordered = Fixture.request(base: base, content: first, output: scratch("four"))
        reordered.exposedPorts = ["8080"]
        reordered.labels = Dictionary(uniqueKeysWithValues: reordered.labels.reversed())
        #expect(try OCIImageBuilder.build(reordered).manifestDigest == one.manifestDigest)
        var otherPort = Fixture.request(base: base, content: first, output: scratch("five"))
        otherPort.exposedPorts = ["9090/tcp"]
        #expect(try OCIImageBuilder.build(otherPort).manifestDigest != one.manifestDigest)
    }

    /// A base as buildah and skopeo write it: its layer is gzip-compressed. The layer is
    /// linked as it is, under its own media type, and the new image unpacks.
    @Test func aGzipBaseLayerIsKeptAsItIs() throws {
        let scratch = try Scratch("gzip-base")
        defer { scratch.remove() }
        let base = scratch("base")
        try Tools.run("skopeo", ["copy", "--dest-compress", "--dest-compress-format", "gzip",
                                 "oci:\(try Fixture.baseLayout()):\(Fixture.baseReference)", "oci:\(base):\(Fixture.baseReference)"])
        let baseLayers = try #require(try Tools.json("skopeo", ["inspect", "--raw", "oci:\(base):\(Fixture.baseReference)"])["layers"] as? [[String: Any]])
        #expect(baseLayers.map { $0["mediaType"] as? String } == ["application/vnd.oci.image.layer.v1.tar+gzip"])
        let image = try OCIImageBuilder.build(Fixture.request(base: base, content: try Fixture.makeContent(in: scratch), output: scratch("out")))
        let layers = try #require(try Tools.json("skopeo", ["inspect", "--raw", "oci:\(image.layout):\(image.reference)"])["layers"] as? [[String: Any]])
        #expect(layers.map { $0["mediaType"] as? String } == ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar"])
        #expect(layers.first?["digest"] as? String == baseLayers.first?["digest"] as? String)
        let bundle = scratch("bundle")
        try Tools.run("umoci", ["unpack"] + Tools.rootless + ["--image", "\(image.layout):\(image.reference)", bundle])
        #expect(FileManager.default.isExecutableFile(atPath: bundle + "/rootfs/bin/busybox"))
        #expect(FileManager.default.contents(atPath: bundle + "/rootfs/artifact/x") == Fixture.files[0].contents)
    }

    @Test func theConfigCarriesTheBaseAndTheRequest() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let baseConfig = try Tools.json("skopeo", ["inspect", "--config", "oci:\(try Fixture.baseLayout()):\(Fixture.baseReference)"])
        let config = try Tools.json("skopeo", ["inspect", "--config", "oci:\(built.imageName)"])
        let baseDiffIDs = try #require((baseConfig["rootfs"] as? [String: Any])?["diff_ids"] as? [String])
        #expect((config["rootfs"] as? [String: Any])?["diff_ids"] as? [String] == baseDiffIDs + [built.image.diffID])
        let history = try #require(config["history"] as? [[String: Any]])
        #expect(history.count == ((baseConfig["history"] as? [Any])?.count ?? 0) + 1)
        #expect(history.last?["created_by"] as? String == "hekaton artifact")
        #expect(history.last?["created"] as? String == "2026-11-29T00:00:00Z")
        let runtime = try #require(config["config"] as? [String: Any])
        #expect(runtime["Entrypoint"] as? [String] == ["/bin/sh", "/artifact/run.sh"])
        #expect(runtime["Cmd"] == nil, "the base's Cmd was for the base's entrypoint")
        #expect(runtime["WorkingDir"] as? String == "/artifact")
        #expect((runtime["ExposedPorts"] as? [String: Any]).map { Set($0.keys) } == ["8080/tcp"])
        let environment = try #require(runtime["Env"] as? [String])
        #expect(environment.contains { $0.hasPrefix("PATH=") }, "the base's PATH stays")
        #expect(environment.last == "ARTIFACT=/artifact")
        #expect(config["architecture"] as? String == baseConfig["architecture"] as? String)
    }

    @Test func theLayerListsTheTreeUnderThePrefixWithFixedOwnersAndTimes() throws {
        let built = try Self.build()
        defer { built.scratch.remove() }
        let layer = built.layout + "/blobs/sha256/" + built.image.layerDigest.dropFirst("sha256:".count)
        let listing = try Tools.run("tar", ["--numeric-owner", "--full-time", "-tvf", layer]).text
            .split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(listing.map { String($0[5]) } == [
            "artifact/", "artifact/nested/", "artifact/nested/deeper/", "artifact/nested/deeper/data.bin",
            "artifact/nested/empty/", "artifact/nested/link", "artifact/run.sh", "artifact/x",
        ])
        #expect(listing.map { String($0[0]) } == ["drwxr-xr-x", "drwxr-xr-x", "drwxr-xr-x", "-rw-r--r--",
                                                  "drwxr-xr-x", "lrwxrwxrwx", "-rwxr-xr-x", "-rw-r--r--"])
        #expect(Set(listing.map { String($0[1]) }) == ["0/0"])
        #expect(Set(listing.map { String($0[3]) }) == ["1970-01-01"])
    }

    @Test func aBaseWithSeveralImagesNeedsAReference() throws {
        let scratch = try Scratch("two-refs")
        defer { scratch.remove() }
        let base = scratch("base")
        try Tools.run("bash", [Fixture.repository + "/scripts/busybox-base-image", base, "one"])
        try Tools.run("bash", [Fixture.repository + "/scripts/busybox-base-image", base, "two"])
        let content = try Fixture.makeContent(in: scratch)
        var request = Fixture.request(base: base, content: content, output: scratch("out"))
        request.baseReference = nil
        let error = #expect(throws: OCILayoutError.self) { try OCIImageBuilder.build(request) }
        #expect(error?.code == .baseReferenceNotFound)
        #expect(error?.message.contains("holds 2 manifests (one, two)") == true, "\(error?.message ?? "")")

        request.baseReference = "three"
        #expect(throws: OCILayoutError.self) { try OCIImageBuilder.build(request) }
        request.baseReference = "two"
        let image = try OCIImageBuilder.build(request)
        try Tools.run("umoci", ["stat", "--image", "\(image.layout):\(image.reference)"])
    }
}
