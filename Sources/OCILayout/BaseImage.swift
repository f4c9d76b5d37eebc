import HekatonSupport

/// The image a new layer goes on top of: one manifest of a base layout's index, and its config.
struct BaseImage {
    let layout: BaseLayout
    /// The manifest's descriptor in the base index; its `platform`, if any, carries over.
    let descriptor: OCIDescriptor
    let manifest: OCIManifest
    /// Kept as JSON, so fields this module does not know survive into the new config.
    let config: JSONValue

    static func load(layout path: String, reference: String?) throws(OCILayoutError) -> BaseImage {
        let layout = try BaseLayout(path: path)
        let descriptor = try select(from: layout.index(), in: layout, reference: reference)
        let name = descriptor.referenceName.map { "'\($0)'" } ?? descriptor.digest
        let manifest = try layout.document(descriptor, as: OCIManifest.self, what: "the manifest of \(name)")
        if let mediaType = manifest.mediaType, mediaType != OCIMediaType.manifest {
            throw OCILayoutError(.unsupportedMediaType, """
                the manifest of \(name) in \(layout.path) says its media type is \(mediaType), not \(OCIMediaType.manifest)
                """, path: layout.path)
        }
        guard manifest.config.mediaType == OCIMediaType.config else {
            throw OCILayoutError(.unsupportedMediaType, """
                the config of \(name) in \(layout.path) has the media type \(manifest.config.mediaType); only OCI image \
                configs (\(OCIMediaType.config)) are supported: convert the base with `skopeo copy --format oci`
                """, path: layout.path)
        }
        for (number, layer) in manifest.layers.enumerated() where !layer.mediaType.hasPrefix("application/vnd.oci.image.layer.") {
            throw OCILayoutError(.unsupportedMediaType, """
                layer \(number + 1) of \(name) in \(layout.path) has the media type \(layer.mediaType), which is not an \
                OCI layer: convert the base with `skopeo copy --format oci`
                """, path: layout.path)
        }
        let config = try layout.document(manifest.config, as: JSONValue.self, what: "the config of \(name)")
        try check(config, layers: manifest.layers.count, of: name, in: layout)
        return BaseImage(layout: layout, descriptor: descriptor, manifest: manifest, config: config)
    }

    /// The manifest named `reference`, or the only one; nested indexes are refused rather than
    /// guessed through, since picking a platform is the caller's decision.
    private static func select(from index: OCIIndex, in layout: BaseLayout, reference: String?) throws(OCILayoutError) -> OCIDescriptor {
        let names = index.manifests.map { $0.referenceName ?? "(unnamed) \($0.digest)" }.joined(separator: ", ")
        let candidates = reference.map { wanted in index.manifests.filter { $0.referenceName == wanted } } ?? index.manifests
        guard candidates.count == 1, let descriptor = candidates.first else {
            let message = switch (reference, candidates.count) {
            case (nil, 0): "the base image layout \(layout.path) has no manifests in its index.json: build an image in it with scripts/busybox-base-image \(layout.path)"
            case (nil, _): "the base image layout \(layout.path) holds \(candidates.count) manifests (\(names)); say which one with baseReference"
            case (let wanted?, 0): "the base image layout \(layout.path) has no manifest named '\(wanted)'; it has: \(names.isEmpty ? "none" : names)"
            case (let wanted?, _): "the base image layout \(layout.path) names \(candidates.count) manifests '\(wanted)'; its index.json is ambiguous, rebuild it"
            }
            throw OCILayoutError(.baseReferenceNotFound, message, path: layout.path + "/index.json")
        }
        guard descriptor.mediaType == OCIMediaType.manifest else {
            let what = descriptor.mediaType == OCIMediaType.index
                ? "an image index (a multi-platform image); pick one platform's manifest first, e.g. `skopeo copy --override-arch amd64 oci:\(layout.path) oci:NEW:REF`"
                : "of the media type \(descriptor.mediaType); only \(OCIMediaType.manifest) is supported"
            throw OCILayoutError(.unsupportedMediaType, "the base '\(descriptor.referenceName ?? descriptor.digest)' in \(layout.path) is \(what)",
                                 path: layout.path + "/index.json")
        }
        return descriptor
    }

    /// A config whose diff IDs do not match the manifest's layers would make every runtime reject the new image.
    private static func check(_ config: JSONValue, layers: Int, of name: String, in layout: BaseLayout) throws(OCILayoutError) {
        guard case .object = config, config["rootfs"]?["type"]?.stringValue == "layers",
              case .array(let diffIDs)? = config["rootfs"]?["diff_ids"] else {
            throw OCILayoutError(.malformedDocument, """
                the config of \(name) in \(layout.path) has no rootfs of type "layers" with diff_ids; it is not an image config
                """, path: layout.path)
        }
        guard diffIDs.count == layers else {
            throw OCILayoutError(.malformedDocument, """
                the config of \(name) in \(layout.path) lists \(diffIDs.count) diff_ids for \(layers) layers; the base image is broken, rebuild it
                """, path: layout.path)
        }
    }
}
