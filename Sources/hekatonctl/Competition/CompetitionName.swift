/// Competition names as hekaton.yaml accepts them; they also go into URLs and file names.
enum CompetitionName {
    /// What is wrong with `name`, or nil when it is a valid competition name.
    static func problem(with name: String) -> String? {
        if name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil { return nil }
        return """
            '\(name)' is not a valid competition name: use lower-case letters, digits and dashes, \
            starting with a letter or digit, at most 63 characters
            """
    }
}
