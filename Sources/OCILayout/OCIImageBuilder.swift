import Foundation
import HekatonSupport

/// Builds an image layout from a base layout and a directory: the base's layers (linked or
/// copied, each verified), one new uncompressed layer, a new config and manifest, and an
/// index naming the manifest by `reference`.
///
/// Everything that goes into a digest comes from the request, JSON is written with sorted
/// keys and the layer has fixed owners, modes and times, so the same request over the same
/// files always gives the same manifest digest: a nightly rebuild that changed nothing is
/// recognisably the same image.
public enum OCIImageBuilder {
    public static let layoutVersion = "1.0.0"

    public static func build(_ request: OCIImageRequest) throws(OCILayoutError) -> OCIImage {
        let prefix = try ImagePath.components(ofPrefix: request.prefix)
        try checkReference(request.reference)
        try checkEnvironment(request.environment)
        try checkPorts(request.exposedPorts)
        try checkOutputOutside(request.content, output: request.output)
        let base = try BaseImage.load(layout: request.baseLayout, reference: request.baseReference)
        let staged = try StagedLayout(output: request.output)

        // The new layer first: a problem in the content shows before the base's layers are hashed.
        let layerBlob = try staged.blobWriter()
        try LayerArchive.write(content: request.content, prefix: prefix, to: layerBlob)
        let layer = try layerBlob.commit()

        for (number, baseLayer) in base.manifest.layers.enumerated() {
            try staged.addBaseBlob(baseLayer, from: base.layout, what: "layer \(number + 1) of \(base.manifest.layers.count) of the base")
        }

        let created = timestamp(request.created)
        let config = ImageConfiguration.derive(from: base.config, request: request, diffID: layer.digest, created: created)
        let configBlob = try BlobWriter.write(DeterministicJSON.encode(config, what: "image config"), into: staged.blobs)

        let manifest = OCIManifest(
            schemaVersion: 2, mediaType: OCIMediaType.manifest,
            config: OCIDescriptor(mediaType: OCIMediaType.config, digest: configBlob.digest.description, size: configBlob.size),
            layers: base.manifest.layers + [OCIDescriptor(mediaType: OCIMediaType.layer, digest: layer.digest.description, size: layer.size)],
            annotations: request.labels.merging([OCIAnnotation.created: created, OCIAnnotation.referenceName: request.reference]) { _, fixed in fixed })
        let manifestBlob = try BlobWriter.write(DeterministicJSON.encode(manifest, what: "image manifest"), into: staged.blobs)

        let index = OCIIndex(schemaVersion: 2, mediaType: OCIMediaType.index, manifests: [
            OCIDescriptor(mediaType: OCIMediaType.manifest, digest: manifestBlob.digest.description, size: manifestBlob.size,
                          annotations: [OCIAnnotation.referenceName: request.reference], platform: platform(of: base)),
        ])
        try staged.writeFile("oci-layout", DeterministicJSON.encode(["imageLayoutVersion": layoutVersion], what: "oci-layout"))
        try staged.writeFile("index.json", DeterministicJSON.encode(index, what: "index"))
        try staged.publish()

        return OCIImage(layout: staged.output, reference: request.reference,
                        manifestDigest: manifestBlob.digest.description, manifestSize: manifestBlob.size,
                        configDigest: configBlob.digest.description,
                        layerDigest: layer.digest.description, layerSize: layer.size)
    }

    /// RFC 3339 in UTC, whole seconds: the form of the spec's `created` fields, and no
    /// sub-second noise to tell two builds of the same request apart.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The base's platform as its index said, else as its config says: tools that pick a
    /// platform from an index (skopeo, containerd) then find it without reading the config.
    private static func platform(of base: BaseImage) -> JSONValue? {
        if let platform = base.descriptor.platform { return platform }
        guard let architecture = base.config["architecture"]?.stringValue, let os = base.config["os"]?.stringValue else { return nil }
        var platform: JSONValue = .object(["architecture": .string(architecture), "os": .string(os)])
        if let variant = base.config["variant"]?.stringValue { platform["variant"] = .string(variant) }
        return platform
    }

    /// The grammar of `org.opencontainers.image.ref.name`, less strictly: what a tag or a date can be.
    private static func checkReference(_ reference: String) throws(OCILayoutError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:@+/")
        guard let first = reference.first, let last = reference.last, first.isLetter || first.isNumber,
              last.isLetter || last.isNumber, reference.allSatisfy(allowed.contains) else {
            throw OCILayoutError(.invalidRequest, """
                '\(reference)' cannot name an image in a layout: use letters, digits and - . _ : @ + /, starting and \
                ending with a letter or digit (like latest or 2026-11-29)
                """)
        }
    }

    /// The layout is staged next to the output: inside the content, it would be archived into its own layer.
    private static func checkOutputOutside(_ content: String, output: String) throws(OCILayoutError) {
        let content = URL(fileURLWithPath: content).resolvingSymlinksInPath().path
        let output = URL(fileURLWithPath: output).resolvingSymlinksInPath().path
        guard output != content, !output.hasPrefix(content.hasSuffix("/") ? content : content + "/") else {
            throw OCILayoutError(.invalidRequest, "the output '\(output)' is inside the content '\(content)'; write the layout somewhere else",
                                 path: output)
        }
    }

    private static func checkPorts(_ ports: [String]) throws(OCILayoutError) {
        for port in ports where !ImageConfiguration.isValidPort(port) {
            throw OCILayoutError(.invalidRequest, "the exposed port '\(port)' is not PORT, PORT/tcp or PORT/udp with PORT in 1…65535 (like 8080/tcp)")
        }
    }

    private static func checkEnvironment(_ environment: [String]) throws(OCILayoutError) {
        for entry in environment where ImageConfiguration.variableName(entry).isEmpty || !entry.contains("=") {
            throw OCILayoutError(.invalidRequest, "the environment entry '\(entry)' is not NAME=value")
        }
    }
}
