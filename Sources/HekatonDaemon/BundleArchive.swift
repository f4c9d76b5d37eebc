import Foundation
import Pipeline
import SubmissionBundle

/// Unpacks an uploaded submission bundle (a tar stream) into a fresh directory, refusing
/// anything a hostile archive could use to write elsewhere.
enum BundleArchive {
    static let maxEntries = 20_000

    /// Streams the spooled upload through the extractor, a chunk at a time.
    static func extract(file: String, into directory: String, maxBytes: Int64, maxEntries: Int = maxEntries) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        do {
            _ = try TarExtractor.extract(fromFile: file, into: directory, maxBytes: maxBytes, maxEntries: maxEntries)
        } catch {
            throw PipelineError(error.code == .tooLarge ? .bundleTooLarge : .invalidBundle, "the bundle was refused: \(error.message)")
        }
    }
}
