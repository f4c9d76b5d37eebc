import HekatonSupport

/// A content descriptor: what a manifest or index says about a blob it points to.
/// Fields this module does not use but a base may carry (`urls`, `platform`) are kept so base
/// layers are described exactly as the base described them.
struct OCIDescriptor: Codable, Sendable, Equatable {
    var mediaType: String
    var digest: String
    var size: Int64
    var urls: [String]?
    var annotations: [String: String]?
    var platform: JSONValue?

    init(mediaType: String, digest: String, size: Int64, annotations: [String: String]? = nil, platform: JSONValue? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    var referenceName: String? { annotations?[OCIAnnotation.referenceName] }
}

/// `index.json`, and any image index.
struct OCIIndex: Codable, Sendable {
    var schemaVersion: Int
    var mediaType: String?
    var manifests: [OCIDescriptor]
}

/// An image manifest. Annotations of a base manifest describe the base, so they are read but
/// never carried into a new one.
struct OCIManifest: Codable, Sendable {
    var schemaVersion: Int
    var mediaType: String?
    var config: OCIDescriptor
    var layers: [OCIDescriptor]
    var annotations: [String: String]?
}
