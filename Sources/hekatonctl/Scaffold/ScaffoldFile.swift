/// One file a scaffold writes.
struct ScaffoldFile: Encodable {
    /// Relative to the scaffold's directory.
    var path: String
    var contents: String
    var isExecutable = false

    enum CodingKeys: String, CodingKey {
        case path, isExecutable = "executable"
    }
}
