import Foundation
import Lineage

/// What an ingestion snapshotted, carried from its run to its record.
struct IngestedSnapshot: Sendable, Equatable {
    var rootDigest: Digest
    var files: Int64
    var bytes: Int64
    /// The source directory or command, in words.
    var source: String
}

/// What an artifact is built from: production's model, its submission, the data.
struct ArtifactSource: Codable, Sendable, Equatable {
    var modelID: Int64
    var submissionID: Int64
    var datasetVersionID: Int64

    /// Beside the build's files, written before the artifact entrypoint runs.
    static func path(_ layout: PipelineLayout, job: Int64) -> String {
        layout.taskDirectory(.artifact, job: job) + "/source.json"
    }

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(_ path: String) -> ArtifactSource? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ArtifactSource.self, from: data)
    }
}

/// An artifact stored and exported; its OCI image when the manifest asks for one.
struct BuiltArtifact: Sendable, Equatable {
    var digest: Digest
    var image: ArtifactImageExport?
}

/// The OCI image layout exported beside an artifact's files.
struct ArtifactImageExport: Sendable, Equatable {
    /// The layout directory as a tree in the blob store.
    var digest: Digest
    var manifestDigest: String
    var reference: String
}

/// An artifact job's attempt: what it was built from, and what it built when it succeeded.
struct ArtifactOutput: Sendable, Equatable {
    var source: ArtifactSource
    var built: BuiltArtifact?
}
