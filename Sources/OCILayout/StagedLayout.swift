import Foundation
import HekatonSupport

/// The output layout while it is being written: a hidden sibling of the output directory,
/// renamed into place only when complete, so a failed build never leaves a half layout where
/// a consumer (skopeo, umoci, a deployment) would find it. Removed unless published.
final class StagedLayout {
    let output: String
    let path: String
    private var published = false

    var blobs: String { path + "/blobs/" + OCIDigest.algorithm }

    init(output requested: String) throws(OCILayoutError) {
        output = URL(fileURLWithPath: requested).standardizedFileURL.path
        try Self.checkOutputIsFree(output)
        let parent = (output as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OCILayoutError(.ioFailed, "cannot create '\(parent)' for the output layout: \(error.localizedDescription)", path: parent)
        }
        var template = Array("\(parent)/.\((output as NSString).lastPathComponent).partial-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw OCILayoutError.systemCall("create a directory in", path: parent)
        }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard chmod(path, 0o755) == 0 else { throw OCILayoutError.systemCall("set the permissions of", path: path) }
        for directory in [path + "/blobs", blobs] where mkdir(directory, 0o755) != 0 {
            throw OCILayoutError.systemCall("create the directory", path: directory)
        }
    }

    deinit {
        if !published { try? FileManager.default.removeItem(atPath: path) }
    }

    private static func checkOutputIsFree(_ output: String) throws(OCILayoutError) {
        var info = stat()
        guard lstat(output, &info) == 0 else {
            if errno == ENOENT { return }
            throw OCILayoutError.systemCall("inspect", path: output)
        }
        let entries = info.isDirectory ? (try? FileManager.default.contentsOfDirectory(atPath: output)) : nil
        guard let entries, entries.isEmpty else {
            throw OCILayoutError(.outputNotEmpty, """
                the output '\(output)' already exists and is not an empty directory; \
                remove it or choose a new directory for the layout
                """, path: output)
        }
    }

    func blobWriter() throws(OCILayoutError) -> BlobWriter {
        try BlobWriter(directory: blobs)
    }

    /// A blob of the base, hard-linked when the file system allows it (no bytes copied, and
    /// the base's blobs never change), copied otherwise; verified against `descriptor` either way.
    func addBaseBlob(_ descriptor: OCIDescriptor, from base: BaseLayout, what: String) throws(OCILayoutError) {
        let digest = try base.digest(of: descriptor, what: what)
        let source = digest.path(in: base.path)
        let destination = digest.path(in: path)
        if access(destination, F_OK) == 0 { return }  // a base that lists one layer twice
        if link(source, destination) == 0 {
            do {
                try base.stream(descriptor, what: what) { _ throws(OCILayoutError) in }
            } catch {
                unlink(destination)
                throw error
            }
            return
        }
        guard [EXDEV, EPERM, EMLINK, EACCES].contains(errno) else {
            if errno == ENOENT { throw base.missingBlob(digest, what: what) }
            throw OCILayoutError.systemCall("link '\(source)' to", path: destination)
        }
        let writer = try blobWriter()
        try base.stream(descriptor, what: what) { (chunk: ArraySlice<UInt8>) throws(OCILayoutError) in try writer.write(chunk) }
        _ = try writer.commit()
    }

    /// A small file at the layout's top (`oci-layout`, `index.json`).
    func writeFile(_ name: String, _ bytes: [UInt8]) throws(OCILayoutError) {
        let file = try LayoutFile.open(path + "/" + name, .writeOnly, options: [.create, .exclusiveCreate], mode: 0o644)
        defer { file.close() }
        try file.writeAll(bytes[...])
        try file.sync()
    }

    /// Renames the staged layout to the output. An empty output directory is replaced in the
    /// same rename; one that filled up meanwhile makes the rename fail, and nothing is lost.
    func publish() throws(OCILayoutError) {
        try LayoutFile.syncDirectory(blobs)
        try LayoutFile.syncDirectory(path)
        guard rename(path, output) == 0 else {
            if errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR {
                throw OCILayoutError(.outputNotEmpty, """
                    the output '\(output)' was filled by something else while the image was built; \
                    remove it or choose a new directory for the layout
                    """, path: output)
            }
            throw OCILayoutError.systemCall("rename '\(path)' to", path: output)
        }
        published = true
        try LayoutFile.syncDirectory((output as NSString).deletingLastPathComponent)
    }
}
