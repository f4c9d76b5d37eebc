import HekatonHashing
import HekatonSupport

/// What an environment image is built from, and the key naming it: a requirements-only
/// submission's generated Containerfile or the submission's own Dockerfile, on a base.
public struct EnvironmentRecipe: Sendable, Equatable {
    /// The allowed image the environment's last stage starts from.
    public var base: BaseImage
    /// Every base the build uses (for a Dockerfile, each image its stages name).
    public var bases: [BaseImage]
    /// The Containerfile's bytes: generated, or the submission's Dockerfile.
    public var containerfile: String
    /// The checked Dockerfile; nil for a generated Containerfile.
    public var dockerfile: Dockerfile?
    /// `sha256:…` over the canonical description of the inputs.
    public var key: String

    public var fromDockerfile: Bool { dockerfile != nil }

    /// Where the virtual environment of a requirements-only image lives.
    public static let environmentPath = "/opt/hekaton/env"

    /// The Containerfile of a requirements-only submission: the base, a virtual environment,
    /// the requirements installed from wheels only, its `bin` first on PATH.
    public static func containerfile(base: String, hasRequirements: Bool) -> String {
        var lines = ["FROM \(base)"]
        if hasRequirements {
            lines += ["COPY requirements.txt /opt/hekaton/requirements.txt",
                      "RUN python3 -m venv \(environmentPath) && \(environmentPath)/bin/pip install --disable-pip-version-check --no-input --no-cache-dir --only-binary=:all: -r /opt/hekaton/requirements.txt"]
        } else {
            lines += ["RUN python3 -m venv \(environmentPath)"]
        }
        lines += ["ENV PATH=\(environmentPath)/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A requirements-only environment on the competition's base.
    public static func requirements(_ requirements: [UInt8], base: BaseImage) -> EnvironmentRecipe {
        let containerfile = containerfile(base: base.name, hasRequirements: !requirements.isEmpty)
        let key = key(base: base, containerfile: containerfile, input: ("requirements", requirements))
        return EnvironmentRecipe(base: base, bases: [base], containerfile: containerfile, dockerfile: nil, key: key)
    }

    /// A submission's own Dockerfile, checked against `allowed`, its context the bundle
    /// `bundleDigest` names; `lookup` finds each base it uses.
    public static func dockerfile(_ text: String, bundleDigest: String, allowed: [String],
                                  lookup: (String) throws(ImageError) -> BaseImage) throws(ImageError) -> EnvironmentRecipe {
        let checked = try Dockerfile.check(text, allowed: allowed)
        var bases: [BaseImage] = []
        for name in checked.bases { bases.append(try lookup(name)) }
        let base = bases.first { $0.name == checked.base }!
        let key = key(base: base, containerfile: text, input: ("bundle", Array(bundleDigest.utf8)), others: bases)
        return EnvironmentRecipe(base: base, bases: bases, containerfile: text, dockerfile: checked, key: key)
    }

    /// `sha256:` over canonical JSON: the kind of input, the bases with their manifest
    /// digests, the Containerfile, and the requirements' bytes or the bundle's digest.
    static func key(base: BaseImage, containerfile: String, input: (String, [UInt8]), others: [BaseImage] = []) -> String {
        var json = CanonicalJSON()
        json.raw("{")
        json.key("base"); json.string(base.name); json.raw(",")
        json.key("base_digest"); json.string(base.manifestDigest); json.raw(",")
        json.key("bases"); json.raw("[")
        for (index, other) in (others.isEmpty ? [base] : others).enumerated() {
            if index > 0 { json.raw(",") }
            json.string(other.name + "@" + other.manifestDigest)
        }
        json.raw("],")
        json.key("containerfile"); json.string(containerfile); json.raw(",")
        json.key("input"); json.string(input.0); json.raw(",")
        json.key("input_sha256"); json.string(input.1.withUnsafeBytes { SHA256.hash($0) }); json.raw(",")
        json.key("version"); json.integer(1)
        json.raw("}")
        return "sha256:" + json.bytes.withUnsafeBytes { SHA256.hash($0) }
    }
}
