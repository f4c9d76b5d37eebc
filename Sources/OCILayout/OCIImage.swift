/// The image that was written: what a registry push, a lineage record or a deployment needs
/// to name it. Digests are `sha256:<hex>`.
public struct OCIImage: Sendable, Equatable {
    /// The output layout directory.
    public var layout: String
    public var reference: String
    public var manifestDigest: String
    public var manifestSize: Int64
    public var configDigest: String
    /// The new layer, uncompressed, so its digest is also its diff ID.
    public var layerDigest: String
    public var layerSize: Int64
    public var diffID: String { layerDigest }

    public init(layout: String, reference: String, manifestDigest: String, manifestSize: Int64, configDigest: String,
                layerDigest: String, layerSize: Int64) {
        self.layout = layout
        self.reference = reference
        self.manifestDigest = manifestDigest
        self.manifestSize = manifestSize
        self.configDigest = configDigest
        self.layerDigest = layerDigest
        self.layerSize = layerSize
    }
}
