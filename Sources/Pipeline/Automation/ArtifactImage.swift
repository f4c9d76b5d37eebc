import Foundation
import OCILayout

/// The artifact as an OCI image layout on the host's base image.
enum ArtifactImage {
    /// Returns the image manifest's digest.
    static func build(base: String, baseReference: String?, content: String, prefix: String, entrypoint: [String]?,
                      output: String, reference: String, competition: String, artifactDigest: String,
                      created: Date) throws -> String {
        var request = OCIImageRequest(baseLayout: base, content: content, prefix: prefix, output: output, reference: reference, created: created)
        request.baseReference = baseReference
        request.entrypoint = entrypoint
        request.labels = ["org.opencontainers.image.title": competition, "dev.hekaton.artifact": artifactDigest]
        return try OCIImageBuilder.build(request).manifestDigest
    }
}
