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
