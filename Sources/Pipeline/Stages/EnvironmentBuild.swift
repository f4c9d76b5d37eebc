import Cron
import Foundation
import Images
import Scheduler

/// The build stage's command: the participant's environment, built outside the sandbox where
/// PyPI is reachable. Stored as the build job's command when it is enqueued, and run as stored.
enum EnvironmentBuild {
    // The environment is content-addressed: when it exists, the build is already done.
    static let script = """
        set -e
        umask 022
        if [ -f "$1/.complete" ]; then echo "environment $2 already built; reusing it"; exit 0; fi
        rm -rf "$1.partial"
        "$3" -m venv "$1.partial"
        if [ -s "$4" ]; then
          "$1.partial/bin/python3" -m pip install --disable-pip-version-check --no-input --only-binary=:all: -r "$4"
        fi
        touch "$1.partial/.complete"
        rm -rf "$1" && mv "$1.partial" "$1"
        echo "environment $2 built"
        """

    static func argv(_ layout: PipelineLayout, environmentDigest: String, submissionID: Int64) -> [String] {
        ["/bin/sh", "-c", script, "build", layout.environment(environmentDigest), environmentDigest, layout.python,
         layout.path(submissionID, "bundle/requirements.txt")]
    }

    /// A build job enqueued by a daemon from before builds stored their command
    /// (`python -m venv ENV`) runs the command of today.
    static func isLegacy(_ argv: [String]) -> Bool {
        argv.count == 4 && argv[1] == "-m" && argv[2] == "venv"
    }
}

/// Image mode (`images:` in the manifest): the environment is a container image built with
/// buildah from the submission's requirements.txt or its own Dockerfile (`ImageBuild`).
extension EnvironmentBuild {
    /// The store of the daemon whose layout this is.
    static func store(_ layout: PipelineLayout) -> ImageStore { ImageStore(stateDirectory: layout.stateDirectory) }

    /// The recipe of a submission's environment from its bundle directory: its own Dockerfile
    /// when it has one (checked against the allowed images), else its requirements.txt on the
    /// base. A missing base or a refused Dockerfile is an error naming what to fix.
    static func recipe(_ policy: CompetitionManifest.ImagePolicy, layout: PipelineLayout, bundleDirectory: String,
                       bundleDigest: String?) throws -> EnvironmentRecipe {
        let store = store(layout)
        let lookup = { (name: String) throws(ImageError) -> BaseImage in try store.baseImage(name) }
        do {
            let dockerfile = bundleDirectory + "/Dockerfile"
            if FileManager.default.fileExists(atPath: dockerfile) {
                let text = try readBounded(dockerfile)
                // With no digest yet (before anything is stored), a stand-in: the checks are the same.
                return try EnvironmentRecipe.dockerfile(text, bundleDigest: bundleDigest ?? "", allowed: policy.allowed, lookup: lookup)
            }
            let requirements = FileManager.default.contents(atPath: bundleDirectory + "/requirements.txt") ?? Data()
            return EnvironmentRecipe.requirements(Array(requirements), base: try lookup(policy.base))
        } catch let error as ImageError {
            throw PipelineError(error.kind == .dockerfile ? .invalidBundle : .conflict,
                                error.kind == .dockerfile ? error.message : "this competition's environments cannot be built: \(error.message)")
        }
    }

    static func readBounded(_ path: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard attributes[.type] as? FileAttributeType == .typeRegular, size <= Dockerfile.maxBytes else {
            throw ImageError(.dockerfile, "the Dockerfile is \(attributes[.type] as? FileAttributeType == .typeRegular ? "\(size) bytes; at most \(Dockerfile.maxBytes) are accepted" : "not a regular file")")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ImageError(.dockerfile, "the Dockerfile is not UTF-8 text")
        }
        return text
    }

    /// The image build's command for submission `id`, its bundle as the context; in a unit
    /// of its own when `runner` says so (a daemon that is a systemd service).
    static func imageArgv(_ layout: PipelineLayout, _ recipe: EnvironmentRecipe, submissionID: Int64,
                          limits: StageLimits, runner: ImageBuild.Runner) -> [String] {
        let ca = FileManager.default.fileExists(atPath: ImageBuild.hostCABundle) ? ImageBuild.hostCABundle : nil
        let build = ImageBuild.argv(store(layout), recipe, context: layout.path(submissionID, "bundle"), caBundle: ca)
        return placed(build, submissionID: submissionID, limits: limits, runner: runner)
    }

    /// An earlier submission's image build for another submission of the same code (a
    /// retrain round's): the same inputs, its own copy of the bundle as the context.
    static func imageArgv(reusing earlier: [String], layout: PipelineLayout, submissionID: Int64,
                          limits: StageLimits, runner: ImageBuild.Runner) -> [String]? {
        guard var build = ImageBuild.buildArgv(earlier) else { return nil }
        build[6] = layout.path(submissionID, "bundle")
        return placed(build, submissionID: submissionID, limits: limits, runner: runner)
    }

    static func placed(_ build: [String], submissionID: Int64, limits: StageLimits, runner: ImageBuild.Runner) -> [String] {
        guard runner == .unit else { return build }
        let unitLimits = ImageBuild.UnitLimits(memoryBytes: limits.memoryBytes, tasks: limits.processes, cpus: limits.cpus,
                                               wallTimeSeconds: limits.wallTimeSeconds)
        return ImageBuild.inUnit(build, unit: ImageBuild.unitName(hex: build[5], submissionID: submissionID), limits: unitLimits)
    }

    /// The participant's words for a failed image build: the Dockerfile line of the step
    /// buildah names, or the time limit it ran over.
    static func failure(argv: [String], log: String, result: ExecutionResult, submissionID: Int64, limits: StageLimits) -> String {
        let see = "see `hekatonctl logs \(submissionID) --stage build`"
        if result.stoppedBy == .timeout {
            return "the environment build ran over its time limit (\(DurationText.describe(limits.wallTimeSeconds)), images.build.wall_time in hekaton.yaml) and was stopped; \(see)"
        }
        if log.contains("Finished with result: oom-kill") {
            return "the environment build ran out of memory (limit \(limits.memoryBytes >> 20) MiB, images.build.memory in hekaton.yaml); \(see)"
        }
        let argv = ImageBuild.buildArgv(argv) ?? argv
        let fromDockerfile = argv.count > 9 && argv[9] == "true"
        if let (step, error) = ImageBuild.failedStep(inLog: log) {
            if fromDockerfile, let checked = try? Dockerfile.check(argv[7], allowed: [argv[10]] + Self.baseNames(argv)),
               let instruction = checked.line(ofStep: step) {
                return "the environment build failed at Dockerfile line \(instruction.line) (\(instruction.text.prefix(200))): \(error); \(see)"
            }
            if !fromDockerfile {
                return "the environment build failed installing requirements.txt (\(step.prefix(200))): \(error); \(see)"
            }
            return "the environment build failed at step \(step.prefix(200)): \(error); \(see)"
        }
        let ending = switch result.termination {
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
        return "the environment build failed (\(ending)); \(see)"
    }

    static func baseNames(_ argv: [String]) -> [String] {
        let argv = ImageBuild.buildArgv(argv) ?? argv
        return stride(from: 12, to: argv.count - 1, by: 2).map { argv[$0] }
    }
}
