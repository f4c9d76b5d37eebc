import Foundation
import Images
import StrictYAML

extension CompetitionManifest {
    /// `images:`: submissions' environments are container images built on a base image the
    /// host provides (`STATE/bases/NAME`), from their requirements.txt or their own Dockerfile.
    public struct ImagePolicy: Sendable, Equatable, Codable {
        /// The base image a requirements-only submission builds on.
        public var base: String
        /// What a submission's Dockerfile may name in `FROM`; the base is always among them.
        public var allowed: [String]
        /// The limits of one environment build: its wall time and memory.
        public var buildWallTimeSeconds: Double = 30 * 60
        public var buildMemoryBytes: Int64 = 4 << 30

        public init(base: String, allowed: [String] = []) {
            self.base = base
            self.allowed = ([base] + allowed).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        }

        /// The build stage's limits: the stage defaults with the wall time and memory of `images.build`.
        public var buildLimits: StageLimits {
            var limits = StageLimits.defaults
            limits.wallTimeSeconds = buildWallTimeSeconds
            limits.memoryBytes = buildMemoryBytes
            // buildah and pip are many threads and processes, and a build may use every CPU.
            limits.processes = 4096
            limits.cpus = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), StageLimits.cpusRange.upperBound)
            return limits
        }

        /// At most this many names in `allowed`.
        public static let maxAllowed = 64
    }

    static func imagePolicy(_ map: YAMLMapping) throws(YAMLError) -> ImagePolicy {
        try map.allowKeys(["base", "allowed", "build"])
        func name(_ value: YAMLValue, _ text: String) throws(YAMLError) -> String {
            guard BaseImages.isValidName(text) else {
                throw value.invalid("'\(text)' is not a valid base image name",
                                    suggestion: "use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters (the directory STATE/bases/NAME)")
            }
            return text
        }
        let baseValue = try map.required("base")
        var policy = ImagePolicy(base: try name(baseValue, try baseValue.string()))
        if let value = map["allowed"] {
            let names = try value.stringList()
            guard names.count <= ImagePolicy.maxAllowed else {
                throw value.invalid("\(names.count) allowed images; at most \(ImagePolicy.maxAllowed)")
            }
            var allowed = [String]()
            for text in names { allowed.append(try name(value, text)) }
            policy = ImagePolicy(base: policy.base, allowed: allowed)
        }
        if let build = try map.mapping("build") {
            try build.allowKeys(["wall_time", "memory"])
            if let value = build["wall_time"] { policy.buildWallTimeSeconds = try Quantity.seconds(value, in: StageLimits.wallTimeRange) }
            if let value = build["memory"] { policy.buildMemoryBytes = try Quantity.bytes(value, in: StageLimits.memoryRange) }
        }
        return policy
    }
}
