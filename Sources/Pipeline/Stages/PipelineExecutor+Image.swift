import Foundation
import Images

extension PipelineExecutor {
    /// The system a submission's own code (train, predict, the nightly artifact) runs on, and
    /// what it adds to the stage's sandbox.
    struct ParticipantSystem {
        /// The environment image's root filesystem; nil on the host's system.
        var image: ImageSystem?
        /// The virtual environment's mount on the host's system; none in an image.
        var mounts: [SandboxSpec.Mount]
        /// `PATH` and, in an image, the rest of its `Env`: the stage's own variables are laid
        /// over them.
        var environment: [String: String]
    }

    /// Whether a competition's participant code runs in environment images: its manifest's
    /// `images:` section says so, and nothing else (a record on disk never moves a competition
    /// of virtual environments onto images, nor the other way).
    static func requiresImages(_ manifest: CompetitionManifest) -> Bool {
        manifest.images != nil
    }

    /// The submission's environment image in a competition of images (`imageRequired`), else
    /// its virtual environment on the host's system. A missing image is refused: the stage
    /// never falls back to the host's system.
    func participantSystem(of submission: Submission, uid: UInt32?, imageRequired: Bool) throws -> ParticipantSystem {
        let key = submission.environmentDigest
        guard imageRequired else {
            let venv = layout.environment(key)
            return ParticipantSystem(image: nil, mounts: [.init(source: venv, target: venv)], environment: ["PATH": venv + "/bin:/usr/bin:/bin"])
        }
        let store = ImageStore(stateDirectory: layout.stateDirectory)
        guard let image = try store.environment(key: key) else {
            throw PipelineError(.invalidBundle, "the environment image \(key) of submission #\(submission.id ?? 0) is not built (no \(store.recordPath(key: key))): its build stage must succeed first; submit again if it failed")
        }
        let system = try ImageSystem(root: store.rootfs(image), othersMustReach: uid != nil)
        return ParticipantSystem(image: system, mounts: [], environment: Self.imageEnvironment(image.environment))
    }

    /// The image config's `Env` as variables: `NAME=value` entries, the host's `HEKATON_`
    /// names left out (the stage's are set by the host alone), a Debian `PATH` when it sets none.
    static func imageEnvironment(_ entries: [String]) -> [String: String] {
        var environment: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { continue }
            let name = String(entry[..<equals])
            guard !name.hasPrefix("HEKATON_") else { continue }
            environment[name] = String(entry[entry.index(after: equals)...])
        }
        if environment["PATH"] == nil { environment["PATH"] = defaultImagePath }
        return environment
    }

    static let defaultImagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}
