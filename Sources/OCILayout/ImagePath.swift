/// Where the content goes in the image, as path components: relative to the image's root,
/// no `.` or `..`, and no whiteout names, so a prefix can neither climb out of the image nor
/// delete a file of the base.
enum ImagePath {
    static func components(ofPrefix prefix: String) throws(OCILayoutError) -> [String] {
        let components = prefix.split(separator: "/").map(String.init)
        for component in components where component == "." || component == ".." || component.hasPrefix(LayerArchive.whiteoutPrefix) {
            throw OCILayoutError(.invalidRequest, """
                the prefix '\(prefix)' has the component '\(component)'; give a plain path inside the image such as \
                'artifact' or 'opt/model'
                """)
        }
        return components
    }
}
