/// The media types and annotation keys of the OCI image specification that this module reads or writes.
enum OCIMediaType {
    static let index = "application/vnd.oci.image.index.v1+json"
    static let manifest = "application/vnd.oci.image.manifest.v1+json"
    static let config = "application/vnd.oci.image.config.v1+json"
    static let layer = "application/vnd.oci.image.layer.v1.tar"
}

enum OCIAnnotation {
    static let referenceName = "org.opencontainers.image.ref.name"
    static let created = "org.opencontainers.image.created"
}
