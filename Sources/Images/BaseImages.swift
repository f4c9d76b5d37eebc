import Foundation

/// A base image as the host provides it: the OCI layout `STATE/bases/NAME`, and the one image
/// in it that builds use (its only manifest, or the one under the reference `latest`).
public struct BaseImage: Sendable, Equatable {
    public var name: String
    /// The layout's directory.
    public var layout: String
    /// The reference inside the layout, nil when the image has none (its only manifest).
    public var reference: String?
    /// `sha256:…` of the image manifest.
    public var manifestDigest: String

    public init(name: String, layout: String, reference: String?, manifestDigest: String) {
        self.name = name
        self.layout = layout
        self.reference = reference
        self.manifestDigest = manifestDigest
    }

    /// The image as containers/image transports name it: `oci:DIR:REF` (or `oci:DIR`).
    public var transportName: String { "oci:" + layout + (reference.map { ":" + $0 } ?? "") }
}

public enum BaseImages {
    /// What a base image may be called: the directory `STATE/bases/NAME` and the name `FROM` uses.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func lowerOrDigit(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
        return lowerOrDigit(bytes[0]) && bytes.dropFirst().allSatisfy { lowerOrDigit($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
    }

    /// What the host runs to add the base `name`.
    static func howToAdd(_ store: ImageStore, _ name: String) -> String {
        "import it with `skopeo copy docker://REGISTRY/IMAGE:TAG oci:\(store.base(name)):latest`, or build the example base with `scripts/base-image \(store.base(name))`"
    }
}

extension ImageStore {
    /// At most this much of `index.json` is read: a layout's index lists a handful of images.
    static let maxIndexBytes = 1 << 20

    /// The base image `name` and its manifest digest, read from its layout's `index.json`.
    /// A missing or unreadable layout is an error telling the host how to add it.
    public func baseImage(_ name: String) throws(ImageError) -> BaseImage {
        guard BaseImages.isValidName(name) else {
            throw ImageError(.missingBase, "'\(name)' is not a valid base image name")
        }
        let layout = base(name)
        let index = layout + "/index.json"
        func broken(_ why: String) -> ImageError {
            ImageError(.missingBase, "the base image '\(name)' \(why); \(BaseImages.howToAdd(self, name))")
        }
        guard FileManager.default.fileExists(atPath: index) else {
            throw broken("is not there (no OCI layout at \(layout))")
        }
        guard let handle = FileHandle(forReadingAtPath: index) else { throw broken("cannot be read (\(index))") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maxIndexBytes + 1)) ?? nil
        guard let data, data.count <= Self.maxIndexBytes,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let manifests = object["manifests"] as? [[String: Any]] else {
            throw broken("is not a readable OCI layout (\(index) is not an image index)")
        }
        func reference(_ m: [String: Any]) -> String? {
            (m["annotations"] as? [String: Any])?["org.opencontainers.image.ref.name"] as? String
        }
        let chosen: [String: Any]
        if let latest = manifests.first(where: { reference($0) == "latest" }) {
            chosen = latest
        } else if manifests.count == 1 {
            chosen = manifests[0]
        } else {
            throw broken(manifests.isEmpty ? "holds no image" : "holds \(manifests.count) images and none is tagged 'latest'")
        }
        guard let digest = chosen["digest"] as? String, Self.isDigest(digest) else {
            throw broken("names no valid manifest digest in \(index)")
        }
        let hex = Self.hex(digest)
        guard FileManager.default.fileExists(atPath: layout + "/blobs/sha256/" + hex) else {
            throw broken("is incomplete: its manifest \(digest) is not in \(layout)/blobs")
        }
        return BaseImage(name: name, layout: layout, reference: reference(chosen), manifestDigest: digest)
    }

    /// `sha256:` and 64 lower-case hex digits.
    public static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
