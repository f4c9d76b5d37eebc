/// Decides whether every symbolic link of a tree resolves inside the tree.
///
/// Resolution follows the kernel's rules, not string clean-up: a `..` after a link goes to
/// the parent of the link's target, so `a/up/..` where `a/up -> ../..` leaves the tree even
/// though the text `a/up/..` looks like `a`. Links inside a link's target are followed
/// through the manifest itself; nothing on disk is read, so a link is never followed out.
/// Absolute targets are outside by definition: they would not survive materialization.
struct SymlinkContainment {
    struct Escape: Equatable {
        var path: String
        var target: String
    }

    /// The kernel's own limit on links followed in one resolution.
    private static let maximumLinksFollowed = 40

    private var links: [String: String] = [:]

    init(entries: [TreeManifest.Entry]) {
        for entry in entries {
            if case .symlink(let target) = entry.kind { links[entry.path] = target }
        }
    }

    func firstEscape() -> Escape? {
        for (path, target) in links.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let directory = Array(path.split(separator: "/").dropLast().map(String.init))
            if !resolvesInside(target, from: directory) { return Escape(path: path, target: target) }
        }
        return nil
    }

    /// Walks `target` from `directory` (components from the tree's root). A path that
    /// does not exist in the tree is walked as text: the kernel would stop there anyway.
    private func resolvesInside(_ target: String, from directory: [String]) -> Bool {
        guard !target.hasPrefix("/") else { return false }
        var position = directory
        var pending = Array(target.split(separator: "/").map(String.init).reversed())
        var linksFollowed = 0
        while let component = pending.popLast() {
            switch component {
            case "", ".":
                continue
            case "..":
                if position.isEmpty { return false }
                position.removeLast()
            default:
                position.append(component)
                if let next = links[position.joined(separator: "/")] {
                    linksFollowed += 1
                    // A loop cannot leave the tree, but it cannot be materialized usefully
                    // either; treat it like an escape so the user looks at it.
                    guard linksFollowed <= Self.maximumLinksFollowed, !next.hasPrefix("/") else { return false }
                    position.removeLast()
                    pending.append(contentsOf: next.split(separator: "/").map(String.init).reversed())
                }
            }
        }
        return true
    }
}
