import Foundation

/// A real environment image's root filesystem: `scripts/base-image`'s Debian bookworm with
/// python3, unpacked by umoci, as the daemon's image store holds one. Made once per base
/// image digest and machine in /tmp/hk-test-images (about 10 s), then reused.
///
/// Two markers tell the image's files from the host's (both are Debian bookworm):
/// `/etc/hekaton-test-image` and the Python module `hekaton_image_marker`, which only the
/// image holds.
public enum ImageRootFixture {
    static let tools = ["buildah", "umoci", "skopeo", "mmdebstrap"]
    public static let hint = "needs root and buildah, umoci, skopeo and mmdebstrap (apt-get install buildah umoci skopeo mmdebstrap uidmap); set HEKATON_REQUIRE_IMAGES=1 to fail instead of skipping"

    public static let required = ProcessInfo.processInfo.environment["HEKATON_REQUIRE_IMAGES"] == "1"
    /// Whether the tests of images run: their tools are here, or they are required.
    public static let available = required || (geteuid() == 0 && tools.allSatisfy { find($0) != nil })

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cache = "/tmp/hk-test-images"
    public static let marker = "/etc/hekaton-test-image"

    /// The unpacked root, made on first use.
    public static var rootfs: String {
        get throws { try made.get() }
    }

    private static let made = Result<String, any Error> { try make() }

    private static func make() throws -> String {
        let missing = tools.filter { find($0) == nil }
        guard missing.isEmpty, geteuid() == 0 else {
            throw Failure(description: "no image root: \(missing.isEmpty ? "not root" : "missing \(missing.joined(separator: ", "))"); \(hint)")
        }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let layout = cache + "/.layout-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: layout) }
        try run(packageRoot.appendingPathComponent("scripts/base-image").path, [layout])
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as? [String: Any]
        let manifests = index?["manifests"] as? [[String: Any]]
        guard let digest = manifests?.first?["digest"] as? String else {
            throw Failure(description: "scripts/base-image wrote no manifest into \(layout)/index.json")
        }
        let bundle = cache + "/" + digest.replacingOccurrences(of: "sha256:", with: "")
        if FileManager.default.fileExists(atPath: bundle + "/rootfs" + marker) { return bundle + "/rootfs" }
        let unpacking = cache + "/.unpack-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: unpacking) }
        try run(find("umoci")!, ["unpack", "--image", layout + ":latest", unpacking])
        try "the test image \(digest)\n".write(toFile: unpacking + "/rootfs" + marker, atomically: true, encoding: .utf8)
        try "WHERE = 'image'\n".write(toFile: unpacking + "/rootfs/usr/lib/python3/dist-packages/hekaton_image_marker.py",
                                      atomically: true, encoding: .utf8)
        // umoci makes the bundle root-only; the image store's are searchable, as sandboxes must reach them.
        chmod(unpacking, 0o755)
        if rename(unpacking, bundle) != 0, !FileManager.default.fileExists(atPath: bundle + "/rootfs" + marker) {
            throw Failure(description: "cannot move the unpacked image to \(bundle): \(String(cString: strerror(errno)))")
        }
        return bundle + "/rootfs"
    }

    static func find(_ name: String) -> String? {
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].map { "\($0)/\(name)" }.first(where: ChildProcess.exists)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let result = try ChildProcess.run(executable, arguments)
        guard result.status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(result.status): \(result.errors)\(result.text)")
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }
}
