import Foundation

/// Where a daemon keeps its images, under `STATE/images`:
///
/// - `oci/`: one OCI image layout holding every environment image, each under the reference
///   `env-<key hex>`, so that the layers they share (the base's) are stored once;
/// - `rootfs/<manifest hex>/rootfs`: an image unpacked once per manifest digest, read-only,
///   the system its stages run on;
/// - `environments/<key hex>.json`: an `EnvironmentImage` record, written last by a build,
///   so that a record on disk means the image is whole.
///
/// Base images are OCI layouts the host puts in `STATE/bases/NAME`.
public struct ImageStore: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    public var root: String { stateDirectory + "/images" }
    /// The OCI layout that holds every environment image.
    public var sharedLayout: String { root + "/oci" }
    public var basesDirectory: String { stateDirectory + "/bases" }

    /// The layout of the base image `name`.
    public func base(_ name: String) -> String { basesDirectory + "/" + name }

    /// The reference of an environment image in the shared layout.
    public func reference(forKey key: String) -> String { "env-" + Self.hex(key) }

    public func recordPath(key: String) -> String { root + "/environments/" + Self.hex(key) + ".json" }

    /// The environment built from the inputs `key` names; nil while it is not (wholly) built.
    public func environment(key: String) throws -> EnvironmentImage? {
        guard let data = FileManager.default.contents(atPath: recordPath(key: key)) else { return nil }
        return try JSONDecoder().decode(EnvironmentImage.self, from: data)
    }

    /// The unpacked root filesystem of an image: the system its stages see, read-only.
    public func rootfs(_ image: EnvironmentImage) -> String { root + "/rootfs/" + Self.hex(image.manifestDigest) + "/rootfs" }

    /// "sha256:abc…" → "abc…"; a name made only of the digest's hex for paths and references.
    public static func hex(_ digest: String) -> String {
        digest.hasPrefix("sha256:") ? String(digest.dropFirst("sha256:".count)) : digest
    }
}
