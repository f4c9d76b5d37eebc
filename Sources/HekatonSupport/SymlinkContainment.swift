/// Decides where the symbolic links of a tree resolve, from the tree's own entries.
///
/// Resolution follows the kernel's rules, not string clean-up: a `..` after a link goes to
/// the parent of the link's *target*, so `a/up/..` where `a/up -> ../..` leaves the tree
/// although the text `a/up/..` looks like `a`. Nothing on disk is read, so nothing outside
/// is ever followed; a name the tree does not hold is walked as plain text. Bundles, archives
/// being extracted and dataset trees all keep their links inside by this one rule.
public struct SymlinkContainment: Sendable {
    public enum Resolution: Sendable, Equatable {
        case inside
        case outside
        /// Absolute targets are outside by definition: they mean another place on every machine.
        case absolute
        /// More links followed than the kernel would (40): a loop.
        case loop
    }

    private static let maximumLinksFollowed = 40

    /// Link path (relative to the root) to its target.
    public private(set) var links: [String: String] = [:]

    public init() {}

    /// The links of a tree, by path (relative to the root) to target.
    public init(links: [String: String]) {
        self.links = links
    }

    public mutating func add(link path: String, target: String) {
        links[path] = target
    }

    /// Where the link at `path` resolves, with the links known so far.
    public func resolve(link path: String) -> Resolution {
        guard let target = links[path] else { return .inside }
        return resolve(target: target, fromDirectoryOf: path)
    }

    /// Where `target` resolves when it is the target of a link at `path`.
    public func resolve(target: String, fromDirectoryOf path: String) -> Resolution {
        if target.hasPrefix("/") { return .absolute }
        var position = path.split(separator: "/").dropLast().map(String.init)
        var pending = Array(target.split(separator: "/").map(String.init).reversed())
        var followed = 0
        while let component = pending.popLast() {
            switch component {
            case ".":
                continue
            case "..":
                if position.isEmpty { return .outside }
                position.removeLast()
            default:
                position.append(component)
                guard let next = links[position.joined(separator: "/")] else { continue }
                followed += 1
                if followed > Self.maximumLinksFollowed { return .loop }
                if next.hasPrefix("/") { return .absolute }
                position.removeLast()
                pending.append(contentsOf: next.split(separator: "/").map(String.init).reversed())
            }
        }
        return .inside
    }

    /// The first link, in path order, that does not resolve inside, with where it goes.
    public func firstEscape() -> (path: String, target: String, resolution: Resolution)? {
        for (path, target) in links.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let resolution = resolve(target: target, fromDirectoryOf: path)
            if resolution != .inside { return (path, target, resolution) }
        }
        return nil
    }

    /// The link among the proper parents of `path` (`a` or `a/b` for `a/b/c`), if any.
    public func linkAmongParents(of path: String) -> String? {
        var parent = ""
        for component in path.split(separator: "/").dropLast() {
            parent = parent.isEmpty ? String(component) : parent + "/" + component
            if links[parent] != nil { return parent }
        }
        return nil
    }
}
