/// The Pococha example's manifest as the tests and benchmarks that need no image tools run it.
public enum ExampleManifest {
    /// The manifest without its `images:` section and its `artifact.oci` section (the last in
    /// the file: that image is built on the production model's environment image):
    /// environments as virtual environments on the host's Python.
    public static func onVirtualEnvironments(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let at = lines.firstIndex(where: { $0.hasPrefix("images:") }) {
            // The section runs to the next top-level key.
            var stop = at + 1
            while stop < lines.count, lines[stop].hasPrefix(" ") { stop += 1 }
            lines.removeSubrange(at..<stop)
        }
        let text = lines.joined(separator: "\n")
        guard let section = text.range(of: "\n  oci:") else { return text }
        return String(text[..<section.lowerBound]) + "\n"
    }
}
