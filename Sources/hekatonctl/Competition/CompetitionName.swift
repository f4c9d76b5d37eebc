/// Competition names as hekaton.yaml accepts them; they also go into URLs and file names.
enum CompetitionName {
    /// What is wrong with `name`, or nil when it is a valid competition name.
    static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        func allowed(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        if (1...63).contains(bytes.count), allowed(bytes[0]), bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: "-") }) { return nil }
        return """
            '\(name)' is not a valid competition name: use lower-case letters, digits and dashes, \
            starting with a letter or digit, at most 63 characters
            """
    }
}
