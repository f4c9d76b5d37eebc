import Foundation

/// Images for tests, made as a daemon in image mode makes them: the base from
/// `scripts/base-image`, an environment built with buildah (no daemon, `--isolation chroot`)
/// into an OCI layout. Tests that need them skip when the tools are missing, unless
/// `HEKATON_REQUIRE_IMAGES=1` makes them fail instead.
public enum ImageTools {
    public static let tools = ["buildah", "umoci", "skopeo", "mmdebstrap", "bwrap", "jq"]

    public static let missing: [String] = tools.filter { find($0) == nil }

    public static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_IMAGES"] == "1"

    /// Whether image tests run: the tools are there, or they are required (and then fail on what is missing).
    public static let enabled = missing.isEmpty || required

    public static let skipReason = """
        needs \(tools.joined(separator: ", ")) (missing: \(missing.joined(separator: ", "))): \
        apt-get install buildah umoci skopeo mmdebstrap bubblewrap jq uidmap; HEKATON_REQUIRE_IMAGES=1 makes this a failure
        """

    /// The example base image (Debian bookworm with python3) at `layout`:`reference`, from the machine's cache.
    public static func baseImage(at layout: String, reference: String = "latest") throws {
        try run("/bin/bash", [Repository.root + "/scripts/base-image", layout, reference])
    }

    /// An environment image as the design builds one from a `requirements.txt`: FROM the base,
    /// a venv at /opt/hekaton/env with the requirements (wheels only) and PATH set to it,
    /// pushed into `layout` as `reference`. The host's CA bundle is mounted for pip (PyPI is
    /// behind a TLS-intercepting proxy here). Returns the manifest's digest.
    @discardableResult
    public static func buildEnvironment(base: String, baseReference: String = "latest", requirements: String,
                                        layout: String, reference: String, scratch: String) throws -> String {
        let context = scratch + "/context"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: requirements, toPath: context + "/requirements.txt")
        try """
            FROM oci:\(base):\(baseReference)
            COPY requirements.txt /opt/hekaton/requirements.txt
            RUN python3 -m venv /opt/hekaton/env && /opt/hekaton/env/bin/pip install --no-cache-dir --disable-pip-version-check \
                --only-binary=:all: -r /opt/hekaton/requirements.txt
            ENV PATH=/opt/hekaton/env/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

            """.write(toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        let buildah = ["--root", scratch + "/storage", "--runroot", scratch + "/run", "--storage-driver", "vfs"]
        let tag = "localhost/hk-test-env:latest"
        defer { _ = try? ChildProcess.run(find("buildah") ?? "/usr/bin/buildah", buildah + ["rmi", "--all", "--force"]) }
        try run("buildah", buildah + ["build", "--quiet", "--isolation", "chroot", "--layers=false",
                                      "--volume", "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro",
                                      "--tag", tag, context])
        try FileManager.default.createDirectory(atPath: (layout as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try run("buildah", buildah + ["push", "--quiet", tag, "oci:\(layout):\(reference)"])
        return try manifestDigest(layout: layout, reference: reference)
    }

    /// `sha256:…` of the manifest `reference` names in `layout`.
    public static func manifestDigest(layout: String, reference: String) throws -> String {
        let raw = try run("skopeo", ["inspect", "--raw", "oci:\(layout):\(reference)"]).output
        return "sha256:" + String(try run("sha256sum", [], input: raw).text.prefix(64))
    }

    /// The image config (`skopeo inspect --config`) as JSON.
    public static func config(layout: String, reference: String) throws -> [String: Any] {
        let output = try run("skopeo", ["inspect", "--config", "oci:\(layout):\(reference)"]).output
        guard let config = try JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw ImageRunFailure(description: "skopeo printed no config for \(layout):\(reference)")
        }
        return config
    }

    public static func find(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first(where: ChildProcess.exists)
    }

    /// Runs a tool that must succeed; its output becomes the failure's message.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String], input: Data? = nil, directory: String? = nil) throws -> ChildProcess {
        guard let executable = tool.hasPrefix("/") ? tool : find(tool) else { throw ImageRunFailure(description: "\(tool) is missing; \(skipReason)") }
        let result = try ChildProcess.run(executable, arguments, input: input, directory: directory)
        guard result.status == 0 else {
            throw ImageRunFailure(description: "\(tool) \(arguments.joined(separator: " ")) exited with \(result.status):\n\(result.errors)\(result.text)")
        }
        return result
    }
}
