import Foundation
import Images
import OCILayout

/// The nightly artifact as an OCI image: a base (the production model's environment image in
/// image mode, else the manifest's base layout) plus one layer of the artifact stage's output,
/// with what runs (`artifact.oci`) and where it came from (labels) in its config.
///
/// Public so that tests build the image exactly as the artifact job does.
public enum ArtifactImage {
    /// What an image is traced back to, written into its config as labels.
    public struct Lineage: Sendable, Equatable {
        public var competition: String
        /// `NAME@TAG` of the dataset version the artifact was built from.
        public var datasetVersion: String
        /// `sha256:…` of the model, of the submission's code bundle, of the artifact's files.
        public var model: String
        public var codeBundle: String
        public var artifact: String

        public init(competition: String, datasetVersion: String, model: String, codeBundle: String, artifact: String) {
            self.competition = competition
            self.datasetVersion = datasetVersion
            self.model = model
            self.codeBundle = codeBundle
            self.artifact = artifact
        }

        /// `org.opencontainers.image.source` has no URL to give: the code lives in the daemon's
        /// store, so it names the competition there; `revision` names the code bundle.
        /// `dev.hekaton.environment` is the environment image's manifest digest, when it is one.
        func labels(environment: EnvironmentImage?, created: Date) -> [String: String] {
            var labels = [
                "org.opencontainers.image.created": OCIImageBuilder.timestamp(created),
                "org.opencontainers.image.title": competition,
                "org.opencontainers.image.source": "hekaton:" + competition,
                "org.opencontainers.image.revision": codeBundle,
                "dev.hekaton.competition": competition,
                "dev.hekaton.dataset-version": datasetVersion,
                "dev.hekaton.model": model,
                "dev.hekaton.code-bundle": codeBundle,
                "dev.hekaton.artifact": artifact,
            ]
            if let environment { labels["dev.hekaton.environment"] = environment.manifestDigest }
            return labels
        }
    }

    /// The layout and reference an artifact image is built on.
    public struct Base: Sendable, Equatable {
        public var layout: String
        public var reference: String?
        /// The environment image, when the base is one.
        public var environment: EnvironmentImage?

        public init(layout: String, reference: String?, environment: EnvironmentImage? = nil) {
            self.layout = layout
            self.reference = reference
            self.environment = environment
        }
    }

    /// The base of `packaging`: its own `base` when it names one (`materialized` is where a
    /// base inside the competition directory was copied), else the environment image.
    public static func base(_ packaging: CompetitionManifest.OCIPackaging, materialized: String?, environment: EnvironmentImage?,
                            store: ImageStore, competition: String) throws -> Base {
        if let base = packaging.base {
            return Base(layout: base.hasPrefix("/") ? base : materialized ?? base, reference: packaging.baseReference)
        }
        guard let environment else {
            throw PipelineError(.invalidBundle, """
                artifact.oci of competition '\(competition)' names no base, and the production model's environment is not an \
                image: declare images: in hekaton.yaml so that environments are images, or give artifact.oci.base (an OCI \
                image layout, e.g. from scripts/base-image)
                """)
        }
        return Base(layout: store.sharedLayout, reference: store.reference(forKey: environment.key), environment: environment)
    }

    /// The request the artifact job makes: one layer of `content` under the packaging's prefix.
    public static func request(_ packaging: CompetitionManifest.OCIPackaging, base: Base, content: String, output: String,
                               reference: String, created: Date, lineage: Lineage) -> OCIImageRequest {
        OCIImageRequest(baseLayout: base.layout, baseReference: base.reference, content: content, prefix: packaging.prefix,
                        output: output, reference: reference, entrypoint: packaging.entrypoint, cmd: packaging.cmd,
                        workingDir: packaging.workingDir, environment: packaging.environment ?? [],
                        exposedPorts: packaging.port.map { ["\($0)/tcp"] } ?? [], labels: lineage.labels(environment: base.environment, created: created),
                        created: created)
    }

    public static func build(_ packaging: CompetitionManifest.OCIPackaging, base: Base, content: String, output: String,
                             reference: String, created: Date, lineage: Lineage) throws -> OCIImage {
        try OCIImageBuilder.build(request(packaging, base: base, content: content, output: output, reference: reference,
                                          created: created, lineage: lineage))
    }
}
