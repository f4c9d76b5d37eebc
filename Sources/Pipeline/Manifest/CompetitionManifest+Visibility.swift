import Foundation

extension CompetitionManifest {
    /// What the stages that run participant code see of the competition directory
    /// (`visibility:` in hekaton.yaml). Fail-closed: only what is listed, or what the
    /// entrypoints name, is shown; score and ingestion see the whole directory.
    public struct Visibility: Sendable, Equatable, Codable {
        /// What train and predict see; nil: the scripts their entrypoints name.
        public var participant: [String]?
        /// What the artifact stage sees besides `participant`; nil: the scripts its entrypoint names.
        public var artifact: [String]?
        /// `private:`: never shown to a stage that runs participant code; a manifest that would is refused.
        public var privatePaths: [String] = []

        public init(participant: [String]? = nil, artifact: [String]? = nil, privatePaths: [String] = []) {
            self.participant = participant
            self.artifact = artifact
            self.privatePaths = privatePaths
        }
    }

    /// The paths of the competition directory that train and predict see.
    public var participantPaths: [String] {
        visibility?.participant ?? Self.scriptFiles(entrypoints.train) + Self.scriptFiles(entrypoints.predict)
    }

    /// The paths the artifact stage sees: the participant's, and the artifact entrypoint's own.
    public var artifactPaths: [String] {
        participantPaths + (visibility?.artifact ?? Self.scriptFiles(entrypoints.artifact ?? []))
    }

    /// The arguments of a command that name scripts: its `.py` and `.sh` arguments after the
    /// program. Publication checks that they exist in the competition directory.
    public static func scriptArguments(_ argv: [String]) -> [String] {
        argv.dropFirst().filter { $0.hasSuffix(".py") || $0.hasSuffix(".sh") }
    }

    /// The same scripts as paths inside the competition directory (`./host/x.py` is
    /// `host/x.py`): what the default visibility shows of the train and predict entrypoints.
    public static func scriptFiles(_ argv: [String]) -> [String] {
        scriptArguments(argv).compactMap(cleanRelative)
    }

    /// `path` without `.` and empty components; nil when it is absolute or climbs with `..`.
    static func cleanRelative(_ path: String) -> String? {
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else { return nil }
        return parts.joined(separator: "/")
    }

    /// True when one path is the other or lies inside it: showing either shows both.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }
}
