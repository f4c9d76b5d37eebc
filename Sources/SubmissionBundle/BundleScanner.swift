#if canImport(FoundationEssentials) && canImport(Glibc)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import HekatonSupport

/// Lists what a participant's directory contributes to a bundle, and refuses what a
/// bundle cannot hold before a byte is sent.
///
/// Entries are read with `lstat` and links are never followed. The built-in excludes and
/// the directory's `.hekatonignore` decide what is left out; excluded directories are not
/// entered. Refused, each with the path and what to do: links that resolve outside the
/// directory (judged by their text, through the tree's other links), devices, FIFOs,
/// sockets, unreadable files and directories, and a total over `maxBytes`.
public struct BundleScanner {
    private let root: String
    private let ruleSets: [IgnoreRules]
    private let progress: ((BundleProgress) -> Void)?
    private var entries: [BundleEntry] = []
    private var links = SymlinkContainment()
    private var counted = BundleProgress()

    private init(root: String, ruleSets: [IgnoreRules], progress: ((BundleProgress) -> Void)?) {
        self.root = root
        self.ruleSets = ruleSets
        self.progress = progress
    }

    /// Scans `directory`. `ignoreRules` replaces its `.hekatonignore` when given; the
    /// built-in excludes apply either way. `progress` is called after each file.
    public static func scan(directory: String, maxBytes: Int64, ignoreRules: IgnoreRules? = nil,
                            progress: ((BundleProgress) -> Void)? = nil) throws(BundleError) -> BundleListing {
        // Absolute, so messages name the file wherever the command was run from.
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var info = stat()
        guard stat(root, &info) == 0, info.isDirectory else {
            throw BundleError(.notADirectory, "'\(directory)' is not a directory; give the directory to bundle", path: directory)
        }
        let userRules: IgnoreRules
        if let ignoreRules { userRules = ignoreRules } else { userRules = try readIgnoreFile(in: root) }
        var scanner = BundleScanner(root: root, ruleSets: [IgnoreRules.builtIn, userRules], progress: progress)
        try scanner.walk(relative: [])
        let listing = BundleListing(root: root, entries: scanner.entries)
        try scanner.checkLinks()
        try checkSize(listing, maxBytes: maxBytes)
        return listing
    }

    private static func readIgnoreFile(in root: String) throws(BundleError) -> IgnoreRules {
        let path = root + "/" + IgnoreRules.fileName
        var info = stat()
        guard lstat(path, &info) == 0 else { return IgnoreRules(rules: []) }
        let file = try BundleFile.open(path, .readOnly)
        defer { file.close() }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try file.read(into: &buffer)
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return IgnoreRules(parsing: bytes, source: IgnoreRules.fileName)
    }

    private func absolute(_ relative: [UInt8]) -> String {
        relative.isEmpty ? root : root + "/" + String(decoding: relative, as: UTF8.self)
    }

    private func isExcluded(_ relative: [UInt8], isDirectory: Bool) -> Bool {
        ruleSets.contains { rules in
            rules.lastMatchingRule(for: relative[...], isDirectory: isDirectory).map { !$0.isNegated } ?? false
        }
    }

    private mutating func walk(relative directory: [UInt8]) throws(BundleError) {
        let directoryPath = absolute(directory)
        for name in try Self.names(in: directoryPath) {
            let relativeBytes = directory.isEmpty ? name : directory + [ASCII.slash] + name
            let path = absolute(relativeBytes)
            var info = stat()
            guard lstat(path, &info) == 0 else {
                if errno == ENOENT { continue }  // removed while we looked: nothing to bundle
                throw BundleError.systemCall(.unreadable, "inspect", path: path)
            }
            if isExcluded(relativeBytes, isDirectory: info.isDirectory) { continue }
            guard let relative = String(validating: relativeBytes, as: UTF8.self) else {
                throw BundleError(.unreadable, "'\(path)' has a name that is not valid UTF-8; rename it or add it to \(IgnoreRules.fileName)", path: path)
            }
            if info.isRegularFile {
                // Open it now: a file we cannot read would fail the upload half-way.
                let file = try Self.openForReading(path)
                file.close()
                entries.append(BundleEntry(path: relative, kind: .file, isExecutable: info.isExecutable, size: Int64(info.st_size)))
                counted.files += 1
                counted.bytes += Int64(info.st_size)
                progress?(counted)
            } else if info.isDirectory {
                entries.append(BundleEntry(path: relative, kind: .directory, isExecutable: true))
                try walk(relative: relativeBytes)
            } else if info.isSymbolicLink {
                let target = try Self.linkTarget(path)
                entries.append(BundleEntry(path: relative, kind: .symlink(target: target)))
                links.add(link: relative, target: target)
            } else {
                throw BundleError(.unsupportedFileType, """
                    '\(path)' is \(info.fileTypeName); a bundle holds only regular files, directories and symbolic links: \
                    remove it or add '\(relative)' to \(IgnoreRules.fileName)
                    """, path: path)
            }
        }
    }

    private static func openForReading(_ path: String) throws(BundleError) -> BundleFile {
        do throws(BundleError) {
            return try BundleFile.open(path, .readOnly, options: [.noFollow, .nonBlocking])
        } catch {
            throw BundleError(.unreadable, "\(error.message); make it readable (chmod u+r) or add it to \(IgnoreRules.fileName)", path: path)
        }
    }

    /// Entry names of a directory as bytes, without `.` and `..`.
    private static func names(in path: String) throws(BundleError) -> [[UInt8]] {
        guard let stream = opendir(path) else {
            throw BundleError(.unreadable, "cannot list the directory '\(path)': \(String(cString: strerror(errno))); make it readable (chmod u+rx) or add it to \(IgnoreRules.fileName)", path: path)
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw BundleError.systemCall(.unreadable, "list the directory", path: path) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name != [ASCII.dot] && name != [ASCII.dot, ASCII.dot] { names.append(name) }
        }
    }

    private static func linkTarget(_ path: String) throws(BundleError) -> String {
        var capacity = Int(PATH_MAX)
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let length = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), capacity) }
            guard length >= 0 else { throw BundleError.systemCall(.unreadable, "read the link", path: path) }
            if length < capacity {
                guard let target = String(validating: buffer[..<length], as: UTF8.self) else {
                    throw BundleError(.unreadable, "the link '\(path)' has a target that is not valid UTF-8; change it or add it to \(IgnoreRules.fileName)", path: path)
                }
                return target
            }
            capacity *= 2
        }
    }

    private func checkLinks() throws(BundleError) {
        guard let escape = links.firstEscape() else { return }
        let path = absolute(Array(escape.path.utf8))
        let what = switch escape.resolution {
        case .absolute:
            "is a symbolic link to the absolute path '\(escape.target)', which would point elsewhere on the machine that runs the submission"
        case .loop:
            "is a symbolic link to '\(escape.target)' in a loop of links that never resolves"
        case .outside, .inside:
            "is a symbolic link to '\(escape.target)', which resolves outside \(root), so the bundle would not hold what it points to"
        }
        throw BundleError(.symlinkEscapes, """
            '\(path)' \(what); make it point inside the directory (a relative link), \
            replace it with a copy of its target, or add '\(escape.path)' to \(IgnoreRules.fileName)
            """, path: path)
    }

    private static func checkSize(_ listing: BundleListing, maxBytes: Int64) throws(BundleError) {
        let total = listing.totalBytes
        guard total > maxBytes else { return }
        let largestFiles = listing.largestFiles(5).filter { $0.size > 0 }
        let width = largestFiles.map(\.path.count).max() ?? 0
        let largest = largestFiles.map { "  " + $0.path + String(repeating: " ", count: width - $0.path.count) + "  " + ByteCount.describe($0.size) }
            .joined(separator: "\n")
        throw BundleError(.tooLarge, """
            the bundle of \(listing.root) is \(ByteCount.describeExactly(total)), over the competition's limit of \
            \(ByteCount.describeExactly(maxBytes)). The largest files:
            \(largest)
            Leave out what the pipeline does not need (data, models, outputs): add them to \(IgnoreRules.fileName) (.gitignore syntax).
            """, path: listing.root)
    }
}
