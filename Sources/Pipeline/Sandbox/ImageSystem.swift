import Foundation

/// An unpacked image's root filesystem shown as a sandbox's system, in place of the host's
/// `/usr` and `/etc`: each top-level directory of the image bound read-only at its name, each
/// top-level symbolic link made again (so that `/bin → usr/bin` works), and nothing of the
/// host's system at all.
///
/// Checked when made, so that a sandbox is never built on a root that is missing, is not a
/// directory, has no system in it, or that the stage's uid could not reach: bubblewrap would
/// otherwise start on an empty root, or fail with a message that names no image.
public struct ImageSystem: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        public var name: String
        public var target: String
    }

    /// The unpacked root filesystem (`ImageStore.rootfs`).
    public let root: String
    /// Its top-level directories, bound read-only at `/NAME`.
    public let directories: [String]
    /// Its top-level symbolic links, made again at `/NAME` with the same target (resolved
    /// inside the sandbox, never on the host).
    public let links: [Link]
    /// Whether `/var/tmp` can be a fresh tmpfs: the image has it as a directory (a mount
    /// point in its read-only `/var`), or has no `/var` at all (not even a link, which may
    /// lead anywhere read-only).
    public let varTmp: Bool

    /// Entries the sandbox makes itself (`/proc`, `/dev`, `/tmp`), never has (`/sys`, the
    /// image's `/run`), or keeps for the stage's own mounts (`/hekaton`).
    static let skipped: Set<String> = ["proc", "dev", "sys", "tmp", "run", "hekaton"]

    /// - Parameter othersMustReach: the stage runs as a uid of its own, for which every
    ///   directory down to the root must be searchable by others.
    public init(root: String, othersMustReach: Bool) throws(SandboxError) {
        func refuse(_ why: String) -> SandboxError {
            SandboxError(.image, "the image root \(root) \(why); the environment image must be unpacked again (remove its rootfs directory and rebuild the environment)")
        }
        var info = stat()
        guard root.hasPrefix("/"), lstat(root, &info) == 0 else { throw refuse("does not exist") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw refuse("is not a directory") }
        if othersMustReach, let closed = PipelineLayout.closedToOthers(PipelineLayout.parents(of: root) + [root]) {
            throw SandboxError(.unreachable, "the sandboxes cannot reach the image root \(root): \(closed)")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { throw refuse("cannot be read") }
        var directories: [String] = []
        var links: [Link] = []
        for name in names.sorted() where !Self.skipped.contains(name) {
            let path = root + "/" + name
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: directories.append(name)
            case S_IFLNK:
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) { links.append(Link(name: name, target: target)) }
            // Top-level files and devices: nothing a program needs, and not shown.
            default: break
            }
        }
        guard directories.contains("usr") || directories.contains("bin") || links.contains(where: { $0.name == "bin" }) else {
            throw refuse("has neither /usr nor /bin: it holds no system to run on")
        }
        self.root = root
        self.directories = directories
        self.links = links
        var varTmp = stat()
        self.varTmp = directories.contains("var")
            ? lstat(root + "/var/tmp", &varTmp) == 0 && varTmp.st_mode & S_IFMT == S_IFDIR
            : !links.contains { $0.name == "var" }
    }
}
