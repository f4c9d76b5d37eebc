import Foundation
import HekatonHashing
import HekatonSupport

/// A base image layout on disk. Every blob is read through its descriptor and checked against
/// the descriptor's size and SHA-256: a truncated download or a flipped bit in a base must stop
/// the build, not ship inside a production image.
struct BaseLayout {
    let path: String

    /// JSON documents (index, manifests, configs) are read into memory; the spec's registries
    /// cap manifests at 4 MiB, and a config larger than this is not a config.
    static let documentSizeLimit: Int64 = 16 << 20

    private static let chunkSize = 1 << 20

    init(path requested: String) throws(OCILayoutError) {
        path = URL(fileURLWithPath: requested).standardizedFileURL.path
        let build = "build one with scripts/busybox-base-image \(path), or `umoci init --layout \(path)` and `umoci new`"
        var info = stat()
        guard stat(path, &info) == 0, info.isDirectory else {
            throw OCILayoutError(.baseLayoutMissing, "the base image layout \(path) is not a directory: \(build)", path: path)
        }
        guard access(path + "/oci-layout", F_OK) == 0 else {
            throw OCILayoutError(.baseLayoutMissing, "the base image layout \(path) has no oci-layout file, so it is not an OCI image layout: \(build)", path: path + "/oci-layout")
        }
        guard access(path + "/index.json", F_OK) == 0 else {
            throw OCILayoutError(.baseLayoutMissing, "the base image layout \(path) has no index.json: \(build)", path: path + "/index.json")
        }
    }

    /// `index.json`, the one document not named by its digest.
    func index() throws(OCILayoutError) -> OCIIndex {
        let file = path + "/index.json"
        var bytes: [UInt8] = []
        try stream(file, limit: Self.documentSizeLimit, what: "the index") { (chunk: ArraySlice<UInt8>) throws(OCILayoutError) in bytes += chunk }
        return try Self.decode(OCIIndex.self, from: bytes, file: file, what: "the index")
    }

    /// The document a descriptor points to, verified and decoded.
    func document<Document: Decodable>(_ descriptor: OCIDescriptor, as type: Document.Type, what: String) throws(OCILayoutError) -> Document {
        guard descriptor.size <= Self.documentSizeLimit else {
            throw OCILayoutError(.malformedDocument, """
                \(what) in \(path) is \(descriptor.size) bytes by its descriptor, more than a JSON document of an image \
                should be (\(Self.documentSizeLimit) at most); the layout is not one this module can build on
                """, path: path)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(max(descriptor.size, 0)))
        try stream(descriptor, what: what) { (chunk: ArraySlice<UInt8>) throws(OCILayoutError) in bytes += chunk }
        return try Self.decode(type, from: bytes, file: try digest(of: descriptor, what: what).path(in: path), what: what)
    }

    /// Feeds a blob to `sink` in chunks, then fails if its size or digest differ from the descriptor's.
    func stream(_ descriptor: OCIDescriptor, what: String,
                into sink: (ArraySlice<UInt8>) throws(OCILayoutError) -> Void) throws(OCILayoutError) {
        let digest = try digest(of: descriptor, what: what)
        let file = digest.path(in: path)
        var hash = SHA256()
        let fd = try LayoutFile.open(file, .readOnly, missing: missingBlob(digest, what: what))
        defer { fd.close() }
        let size = Int64(try fd.status().st_size)
        guard size == descriptor.size else {
            throw OCILayoutError(.blobCorrupt, """
                \(file) (\(what)) is \(size) bytes, but its descriptor says \(descriptor.size): the base layout is corrupt \
                or half copied; rebuild it (scripts/busybox-base-image) or copy it again (skopeo copy)
                """, path: file)
        }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var read: Int64 = 0
        while true {
            let count = try fd.read(into: &buffer)
            if count == 0 { break }
            read += Int64(count)
            guard read <= size else { break }
            hash.update(buffer[..<count])
            try sink(buffer[..<count])
        }
        let actual = OCIDigest(hex: hash.finalize())
        guard read == size, actual == digest else {
            throw OCILayoutError(.blobCorrupt, """
                \(file) (\(what)) does not hash to \(digest), the digest it is named by\
                \(read == size ? " (it hashes to \(actual))" : "; it changed size while it was read"): \
                the blob is corrupt; rebuild the base layout (scripts/busybox-base-image) or copy it again (skopeo copy)
                """, path: file)
        }
    }

    /// A file read whole, up to `limit` bytes.
    private func stream(_ file: String, limit: Int64, what: String,
                        into sink: (ArraySlice<UInt8>) throws(OCILayoutError) -> Void) throws(OCILayoutError) {
        let fd = try LayoutFile.open(file, .readOnly)
        defer { fd.close() }
        guard try fd.status().st_size <= limit else {
            throw OCILayoutError(.malformedDocument, "\(file) (\(what)) is larger than \(limit) bytes; it is not an image index", path: file)
        }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = try fd.read(into: &buffer)
            if count == 0 { return }
            try sink(buffer[..<count])
        }
    }

    func digest(of descriptor: OCIDescriptor, what: String) throws(OCILayoutError) -> OCIDigest {
        guard let digest = OCIDigest(parsing: descriptor.digest) else {
            throw OCILayoutError(.malformedDocument, """
                the descriptor of \(what) in \(path) has the digest '\(descriptor.digest)'; only sha256: followed by \
                64 lowercase hex digits is supported
                """, path: path)
        }
        return digest
    }

    func missingBlob(_ digest: OCIDigest, what: String) -> OCILayoutError {
        OCILayoutError(.blobMissing, """
            the base image layout \(path) lacks \(what), blob \(digest) (expected at \(digest.path(in: path))): \
            the layout is incomplete; rebuild it (scripts/busybox-base-image) or copy it again (skopeo copy)
            """, path: digest.path(in: path))
    }

    private static func decode<Document: Decodable>(_ type: Document.Type, from bytes: [UInt8], file: String,
                                                    what: String) throws(OCILayoutError) -> Document {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw OCILayoutError(.malformedDocument, "\(file) (\(what)) is not a valid document: \(Self.describe(error))", path: file)
        }
    }

    /// A decoding error as a field path and a reason, rather than Swift's debug dump.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return error.localizedDescription }
        switch error {
        case .keyNotFound(let key, let context):
            return "'\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? context.debugDescription : "'\(field)': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
