import Foundation
import Images
import Testing

@Suite("Environment keys and base images")
struct EnvironmentKeyTests {
    static let base = BaseImage(name: "hk-python", layout: "/s/bases/hk-python", reference: "latest",
                                manifestDigest: "sha256:" + String(repeating: "a", count: 64))

    @Test("The key covers the base's digest, the Containerfile and the requirements; equal inputs, equal keys")
    func keys() throws {
        let numpy = Array("numpy>=1.24\n".utf8)
        let one = EnvironmentRecipe.requirements(numpy, base: Self.base)
        #expect(one.key == EnvironmentRecipe.requirements(numpy, base: Self.base).key)
        #expect(ImageStore.isDigest(one.key))
        #expect(one.key != EnvironmentRecipe.requirements(Array("numpy>=1.25\n".utf8), base: Self.base).key)
        var newer = Self.base
        newer.manifestDigest = "sha256:" + String(repeating: "b", count: 64)
        #expect(one.key != EnvironmentRecipe.requirements(numpy, base: newer).key)
        #expect(one.containerfile.contains("FROM hk-python\n"))
        #expect(one.containerfile.contains("--only-binary=:all:"))
        #expect(one.containerfile.contains("ENV PATH=/opt/hekaton/env/bin:"))
        #expect(!EnvironmentRecipe.requirements([], base: Self.base).containerfile.contains("requirements.txt"))

        let lookup = { (name: String) throws(ImageError) -> BaseImage in Self.base }
        let dockerfile = "FROM hk-python\nRUN true\n"
        let a = try EnvironmentRecipe.dockerfile(dockerfile, bundleDigest: "sha256:1", allowed: ["hk-python"], lookup: lookup)
        let b = try EnvironmentRecipe.dockerfile(dockerfile, bundleDigest: "sha256:2", allowed: ["hk-python"], lookup: lookup)
        #expect(a.fromDockerfile)
        #expect(a.key != b.key)
        #expect(a.key == (try EnvironmentRecipe.dockerfile(dockerfile, bundleDigest: "sha256:1", allowed: ["hk-python"], lookup: lookup)).key)
        #expect(a.key != one.key)
    }

    @Test("A base is its layout's 'latest' or only manifest; missing or broken ones say how to add them")
    func baseLookup() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("images-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = ImageStore(stateDirectory: state)
        func failure(_ name: String) -> String? {
            do { _ = try store.baseImage(name); return nil } catch { return error.message }
        }
        #expect(failure("hk-python")?.contains("skopeo copy docker://REGISTRY/IMAGE:TAG oci:\(state)/bases/hk-python:latest") == true)
        #expect(failure("hk-python")?.contains("scripts/base-image \(state)/bases/hk-python") == true)
        #expect(failure("../etc")?.contains("not a valid base image name") == true)

        let layout = store.base("hk-python")
        try FileManager.default.createDirectory(atPath: layout + "/blobs/sha256", withIntermediateDirectories: true)
        try Data("{\"manifests\": 3}".utf8).write(to: URL(fileURLWithPath: layout + "/index.json"))
        #expect(failure("hk-python")?.contains("is not a readable OCI layout") == true)

        let hex = String(repeating: "c", count: 64)
        let index = """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\(hex)","size":1,\
            "annotations":{"org.opencontainers.image.ref.name":"latest"}}]}
            """
        try Data(index.utf8).write(to: URL(fileURLWithPath: layout + "/index.json"))
        #expect(failure("hk-python")?.contains("is incomplete") == true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + hex))
        let found = try store.baseImage("hk-python")
        #expect(found.manifestDigest == "sha256:" + hex)
        #expect(found.transportName == "oci:\(layout):latest")
    }
}
