#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import HekatonSupport

/// Extracts an archive that may have been crafted to attack the machine extracting it.
///
/// Accepted: regular files, directories and symbolic links, at relative paths without
/// `..`. Refused, naming the entry: absolute paths, `..`, a path through a symbolic link,
/// a link whose target resolves outside the destination (through the archive's other
/// links too), the same path twice, hard links, devices and FIFOs, and more than
/// `maxBytes` of content or `maxEntries` entries. Files are created 0644 or 0755,
/// directories 0755, all owned by this process. Every path is opened one component at
/// a time with `O_NOFOLLOW` and files with `O_EXCL`, so nothing already on disk, and no
/// link the archive made, is ever followed or overwritten.
///
/// Feed it with `consume` as chunks arrive (an HTTP body), then call `finish`. After an
/// error the destination holds part of the archive: remove it.
public final class TarExtractor {
    public struct Summary: Sendable, Equatable {
        public var files = 0
        public var directories = 0
        public var symlinks = 0
        /// Bytes of file content written.
        public var bytes: Int64 = 0
    }

    public let destination: String
    public let maxBytes: Int64
    public let maxEntries: Int

    private static let maximumPathBytes = 4096
    private static let maximumNameBytes = 255

    private var reader = TarReader()
    private let root: BundleFile
    private var entryPaths: Set<String> = []
    private var links = SymlinkContainment()
    private var current: (file: BundleFile, mode: mode_t)?
    private var summary = Summary()
    /// Entries plus directories created for them: what `maxEntries` bounds.
    private var entryCount = 0
    private var failure: BundleError?

    /// Opens `destination`, an existing directory (ideally empty).
    public init(destination: String, maxBytes: Int64, maxEntries: Int) throws(BundleError) {
        self.destination = destination
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        do throws(BundleError) {
            root = try BundleFile.open(destination, .readOnly, options: .directory)
        } catch {
            throw BundleError(.notADirectory, "cannot extract into '\(destination)': \(error.message)", path: destination)
        }
    }

    deinit {
        current?.file.close()
        root.close()
    }

    /// Extracts the archive in the file at `path`, a chunk at a time.
    public static func extract(fromFile path: String, into destination: String, maxBytes: Int64,
                               maxEntries: Int) throws(BundleError) -> Summary {
        let extractor = try TarExtractor(destination: destination, maxBytes: maxBytes, maxEntries: maxEntries)
        let file = try BundleFile.open(path, .readOnly)
        defer { file.close() }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try file.read(into: &buffer)
            guard count > 0 else { break }
            try extractor.consume(buffer[..<count])
        }
        return try extractor.finish()
    }

    /// Extracts an archive held in memory.
    public static func extract(from bytes: [UInt8], into destination: String, maxBytes: Int64,
                               maxEntries: Int) throws(BundleError) -> Summary {
        let extractor = try TarExtractor(destination: destination, maxBytes: maxBytes, maxEntries: maxEntries)
        try extractor.consume(bytes[...])
        return try extractor.finish()
    }

    /// Extracts the next piece of the archive. After an error, every call fails with it.
    public func consume(_ chunk: ArraySlice<UInt8>) throws(BundleError) {
        if let failure { throw failure }
        var reader = self.reader
        defer { self.reader = reader }
        do throws(BundleError) {
            try reader.consume(chunk) { (event: TarReader.Event) throws(BundleError) in try self.handle(event) }
        } catch {
            fail(error)
            throw error
        }
    }

    /// Checks that the archive was complete and that every link still resolves inside
    /// (a later link can change where an earlier one goes).
    public func finish() throws(BundleError) -> Summary {
        if let failure { throw failure }
        do throws(BundleError) {
            try reader.finish()
            if let escape = links.firstEscape() {
                throw Self.escape(path: escape.path, target: escape.target, resolution: escape.resolution)
            }
        } catch {
            fail(error)
            throw error
        }
        return summary
    }

    private func fail(_ error: BundleError) {
        failure = error
        current?.file.close()
        current = nil
    }

    // MARK: Entries

    private func handle(_ event: TarReader.Event) throws(BundleError) {
        switch event {
        case .entry(let header):
            try begin(header)
        case .contents(let bytes):
            guard let current else { return }
            try current.file.writeAll(bytes)
        case .entryEnd:
            guard let current else { return }
            self.current = nil
            defer { current.file.close() }
            try current.file.setPermissions(current.mode)
        }
    }

    private func begin(_ header: TarHeader) throws(BundleError) {
        let path = try Self.normalized(header.path)
        if path.isEmpty && header.type == .directory { return }  // "./", the destination itself
        guard !path.isEmpty else { throw Self.unsafe(header.path, "does not name anything inside the destination") }
        try count(header.path)
        guard !entryPaths.contains(path) else {
            throw BundleError(.duplicateEntry, "archive entry '\(header.path)' appears twice; an archive may name each path once", path: header.path)
        }
        entryPaths.insert(path)
        if let link = links.linkAmongParents(of: path) {
            throw Self.unsafe(header.path, "passes through the symbolic link '\(link)' of the archive")
        }
        if header.type != .file && header.type != .oldFile && header.size != 0 {
            throw BundleError(.malformedArchive, "archive entry '\(header.path)' is \(header.type) with \(header.size) bytes of content", path: header.path)
        }
        let components = path.split(separator: "/").map(String.init)
        switch header.type {
        case .file, .oldFile:
            guard header.size <= maxBytes - summary.bytes else {
                throw BundleError(.tooLarge, """
                    archive entry '\(header.path)' (\(ByteCount.describe(header.size))) takes the archive's files past the limit of \
                    \(ByteCount.describeExactly(maxBytes))
                    """, path: header.path)
            }
            let parent = try openDirectory(components.dropLast(), for: header.path)
            defer { if parent.raw != root.raw { parent.close() } }
            let fd = openat(parent.raw, components.last!, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Self.creationFailure(header.path, errno: errno) }
            let file = BundleFile(adopting: fd, path: header.path)
            current = (file, header.mode & 0o111 != 0 ? 0o755 : 0o644)
            summary.files += 1
            summary.bytes += header.size
        case .directory:
            let directory = try openDirectory(components[...], for: header.path)
            defer { if directory.raw != root.raw { directory.close() } }
            try directory.setPermissions(0o755)
            summary.directories += 1
        case .symlink:
            try checkLinkTarget(header)
            links.add(link: path, target: header.linkTarget)
            let resolution = links.resolve(link: path)
            guard resolution == .inside else { throw Self.escape(path: header.path, target: header.linkTarget, resolution: resolution) }
            let parent = try openDirectory(components.dropLast(), for: header.path)
            defer { if parent.raw != root.raw { parent.close() } }
            guard symlinkat(header.linkTarget, parent.raw, components.last!) == 0 else {
                throw Self.creationFailure(header.path, errno: errno)
            }
            summary.symlinks += 1
        default:
            throw BundleError(.unsupportedFileType, """
                archive entry '\(header.path)' is \(header.type); a bundle may hold only regular files, directories and symbolic links
                """, path: header.path)
        }
    }

    private func count(_ entry: String) throws(BundleError) {
        entryCount += 1
        guard entryCount <= maxEntries else {
            throw BundleError(.tooManyEntries, "the archive holds more than \(maxEntries) entries (at '\(entry)'), over the limit", path: entry)
        }
    }

    private static func creationFailure(_ entry: String, errno code: Int32) -> BundleError {
        guard code == EEXIST else { return BundleError.systemCall(.writeFailed, "create", path: entry, errno: code) }
        return BundleError(.duplicateEntry, """
            archive entry '\(entry)' names a path that already exists (a directory made for an earlier entry, \
            or a file already in the destination)
            """, path: entry)
    }

    /// Opens (creating as needed) the directory `components` below the destination, one
    /// component at a time, never following a link. The caller closes what is returned
    /// unless it is the destination itself.
    private func openDirectory(_ components: ArraySlice<String>, for entry: String) throws(BundleError) -> BundleFile {
        var directory = root
        var walked = ""
        for component in components {
            walked = walked.isEmpty ? component : walked + "/" + component
            let made = mkdirat(directory.raw, component, 0o700) == 0
            if !made && errno != EEXIST {
                throw BundleError.systemCall(.writeFailed, "create the directory '\(walked)' for", path: entry)
            }
            let next: BundleFile
            do throws(BundleError) {
                next = try BundleFile.open(component, in: directory, .readOnly, options: [.directory, .noFollow],
                                           displayPath: walked)
            } catch {
                if directory.raw != root.raw { directory.close() }
                throw Self.unsafe(entry, "needs '\(walked)' to be a directory, but it is a file or a link")
            }
            if directory.raw != root.raw { directory.close() }
            directory = next
            if made {
                try directory.setPermissions(0o755)
                // Directories made for an entry count too: deep paths must not bypass the limit.
                if !entryPaths.contains(walked) { try count(walked) }
            }
        }
        return directory
    }

    private func checkLinkTarget(_ header: TarHeader) throws(BundleError) {
        if header.linkTarget.isEmpty {
            throw BundleError(.malformedArchive, "archive entry '\(header.path)' is a symbolic link without a target", path: header.path)
        }
        if header.linkTarget.utf8.contains(0) {
            throw Self.unsafe(header.path, "is a symbolic link whose target holds a NUL byte")
        }
    }

    // MARK: Paths

    /// The entry's path without `.` components, empty components and a trailing slash;
    /// refused when absolute, when it climbs with `..`, or when it is too long.
    static func normalized(_ raw: String) throws(BundleError) -> String {
        if raw.utf8.contains(0) { throw unsafe(raw, "holds a NUL byte") }
        if raw.hasPrefix("/") { throw unsafe(raw, "is an absolute path; entries must be relative to the destination") }
        if raw.utf8.count > maximumPathBytes { throw unsafe(raw.prefix(80) + "…", "is longer than \(maximumPathBytes) bytes") }
        var components: [Substring] = []
        for component in raw.split(separator: "/") where component != "." {
            if component == ".." { throw unsafe(raw, "climbs out of the destination with '..'") }
            if component.utf8.count > maximumNameBytes { throw unsafe(raw, "has a name longer than \(maximumNameBytes) bytes") }
            components.append(component)
        }
        return components.joined(separator: "/")
    }

    private static func unsafe(_ entry: String, _ problem: String) -> BundleError {
        BundleError(.unsafePath, "archive entry '\(entry)' \(problem); it was not extracted", path: entry)
    }

    private static func escape(path: String, target: String, resolution: SymlinkContainment.Resolution) -> BundleError {
        let why = switch resolution {
        case .absolute: "is absolute"
        case .loop: "is part of a loop of links"
        case .outside, .inside: "resolves outside the destination"
        }
        return BundleError(.symlinkEscapes, "archive entry '\(path)' is a symbolic link to '\(target)', which \(why); links must stay inside", path: path)
    }
}
