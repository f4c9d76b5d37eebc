import Foundation

/// The command that builds an environment image, stored as the build job's command and run
/// as stored: `/bin/sh -c SCRIPT build ARGS…`, or `… clean ARGS…` to remove what a failed or
/// killed build left. Builds take `STATE/images/build.lock` in turn; the record is written
/// last, atomically, while the lock is held.
///
/// A Dockerfile's `RUN` steps are participant code with the network open. They never run as
/// the host's root: buildah runs rootless as `buildUser`, whose subordinate uid range makes
/// the build's root an unprivileged uid on the host, in PID, IPC and UTS namespaces of its own,
/// with a fresh storage directory per build (nothing one build leaves can reach the next).
/// Only root's own steps touch the daemon's store: copying the finished image into the
/// shared layout, unpacking it (umoci resolves every path inside the root it unpacks to),
/// and writing the record.
public enum ImageBuild {
    /// The unprivileged account builds run as; it needs ranges in /etc/subuid and /etc/subgid.
    public static let buildUser = "hekaton-build"

    /// How a host gives builds their account (`scripts/install-deps` and the package do this).
    public static let buildUserSetup = """
        useradd --system --no-create-home --shell /usr/sbin/nologin \(buildUser) && \
        usermod --add-subuids 1000000000-1000065535 --add-subgids 1000000000-1000065535 \(buildUser)
        """

    static let script = #"""
        set -eu
        umask 022
        export PATH="${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"
        root=$1 hex=$2 context=$3 containerfile=$4 ca=$5 dockerfile=$6 base=$7 base_digest=$8 user=$9
        shift 9
        ref="env-$hex"
        image="localhost/hekaton-env-$hex"
        record="$root/environments/$hex.json"
        work="$root/work/$hex"
        if [ "$0" = build ] && [ -f "$record" ]; then echo "environment sha256:$hex already built; reusing it"; exit 0; fi
        mkdir -p "$root/environments" "$root/rootfs" "$root/work" "$root/oci"
        chmod 0755 "$root" "$root/rootfs"
        chmod 0711 "$root/work"
        exec 9>>"$root/build.lock"
        flock 9
        # What an earlier build of this environment, or any killed build, left behind.
        clean() {
          rm -rf "$root/rootfs/"*.partial "$record.tmp"
          if [ ! -f "$record" ]; then
            if [ -s "$work/digest" ]; then
              digest=$(cat "$work/digest")
              if ! grep -qs "\"manifestDigest\":\"$digest\"" "$root/environments/"*.json; then rm -rf "$root/rootfs/${digest#sha256:}"; fi
            fi
            if grep -qs "\"env-$hex\"" "$root/oci/index.json"; then
              umoci rm --image "$root/oci:$ref" && umoci gc --layout "$root/oci"
            fi
          fi
          rm -rf "$work"
        }
        if [ "$0" = clean ]; then clean; echo "removed what the build of environment sha256:$hex left"; exit 0; fi
        if [ -f "$record" ]; then echo "environment sha256:$hex already built; reusing it"; exit 0; fi
        # Fail closed: without its unprivileged account a build would run participants' RUN steps as root.
        if ! uid=$(id -u "$user" 2>/dev/null) || ! gid=$(id -g "$user" 2>/dev/null) \
           || ! grep -qsE "^($user|$uid):" /etc/subuid || ! grep -qsE "^($user|$uid):" /etc/subgid; then
          echo "error: environment images are built as the unprivileged user $user with subordinate uids and gids, and this host has none; as root run: \#(buildUserSetup)" >&2
          exit 77
        fi
        clean
        trap 'status=$?; if [ "$status" != 0 ]; then clean; fi' EXIT
        trap 'exit 143' TERM INT
        mkdir -p "$work/home" "$work/run" "$work/context"
        # The context is copied: the bundle's own directory is closed to every uid but its sandbox's.
        cp -R "$context/." "$work/context/"
        printf '%s' "$containerfile" > "$work/Containerfile"
        chown -R "$uid:$gid" "$work"
        builder() { setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
          env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" "$@"; }
        b() { builder buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"; }
        # Each base the build names, as localhost/NAME:latest, so that FROM NAME resolves without a registry.
        while [ $# -ge 2 ]; do
          builder skopeo copy --quiet "$2" "containers-storage:[vfs@$work/storage+$work/run]localhost/$1:latest"
          shift 2
        done
        set -- --isolation chroot --pull=never --layers=false --format oci -f "$work/Containerfile" -t "$image"
        if [ -n "$ca" ]; then set -- "$@" --volume "$ca:/etc/ssl/certs/ca-certificates.crt:ro"; fi
        # The RUN steps see and can signal only the build's processes; the network stays open.
        unshare --pid --fork --kill-child --mount-proc --ipc --uts -- \
          setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
          env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" \
          buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs build "$@" "$work/context"
        env=$(b inspect --type image --format '[{{range $i, $e := .OCIv1.Config.Env}}{{if $i}},{{end}}{{printf "%q" $e}}{{end}}]' "$image")
        wd=$(b inspect --type image --format '{{if .OCIv1.Config.WorkingDir}}{{printf "%q" .OCIv1.Config.WorkingDir}}{{else}}null{{end}}' "$image")
        b push --quiet "$image" "oci:$work/layout:$ref"
        # Into the shared layout as root, the same manifest bytes: its digest is the image's.
        skopeo copy --quiet "oci:$work/layout:$ref" "oci:$root/oci:$ref"
        digest="sha256:$(skopeo inspect --raw "oci:$root/oci:$ref" | sha256sum | cut -d' ' -f1)"
        printf '%s' "$digest" > "$work/digest"
        mhex=${digest#sha256:}
        if [ ! -d "$root/rootfs/$mhex" ]; then
          umoci unpack --image "$root/oci:$ref" "$root/rootfs/$mhex.partial" >/dev/null
          # Readable by every stage's uid, writable by none.
          chmod 0755 "$root/rootfs/$mhex.partial"
          find "$root/rootfs/$mhex.partial/rootfs" -xdev -perm -0002 ! -type l -exec chmod o-w {} +
          mv "$root/rootfs/$mhex.partial" "$root/rootfs/$mhex"
        fi
        printf '{"key":"sha256:%s","manifestDigest":"%s","base":"%s","baseDigest":"%s","environment":%s,"workingDir":%s,"fromDockerfile":%s}\n' \
          "$hex" "$digest" "$base" "$base_digest" "$env" "$wd" "$dockerfile" > "$record.tmp"
        mv "$record.tmp" "$record"
        rm -rf "$work"
        trap - EXIT
        echo "environment sha256:$hex built: image $digest"
        """#

    /// Where builds find the host's certificates, so that a TLS-intercepting proxy the host
    /// trusts is trusted inside the build too; nil when the host has none there.
    public static let hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Builds `recipe` with the bundle directory `context` as the build context.
    public static func argv(_ store: ImageStore, _ recipe: EnvironmentRecipe, context: String, caBundle: String?) -> [String] {
        var argv = ["/bin/sh", "-c", script, "build", store.root, ImageStore.hex(recipe.key), context, recipe.containerfile,
                    caBundle ?? "", recipe.fromDockerfile ? "true" : "false", recipe.base.name, recipe.base.manifestDigest, buildUser]
        for base in recipe.bases { argv += [base.name, base.transportName] }
        return argv
    }

    /// The build's own command inside `argv`, which may run it in a unit of its own
    /// (`inUnit`): `/bin/sh -c SCRIPT MODE ROOT HEX CONTEXT CONTAINERFILE CA DOCKERFILE BASE
    /// BASE-DIGEST USER [NAME TRANSPORT]…`; nil when `argv` is no image build.
    public static func buildArgv(_ argv: [String]) -> [String]? {
        guard let index = argv.firstIndex(of: script), index >= 2, argv[index - 1] == "-c", argv[index - 2] == "/bin/sh",
              argv.count - index >= 11 else { return nil }
        return Array(argv[(index - 2)...])
    }

    /// The same command removing what a build left (after it failed or was killed). It runs
    /// as the daemon's child: a build's unit that is still there is stopped first.
    public static func cleanArgv(_ build: [String]) -> [String]? {
        guard var argv = buildArgv(build) else { return nil }
        argv[3] = "clean"
        if let unit = unitName(of: build) {
            return ["/bin/sh", "-c", #"systemctl stop "$0" 2>/dev/null; systemctl reset-failed "$0" 2>/dev/null; exec "$@""#, unit] + argv
        }
        return argv
    }

    public static func isImageBuild(_ argv: [String]) -> Bool { buildArgv(argv) != nil }

    /// The key an image build's command builds.
    public static func key(of argv: [String]) -> String? {
        buildArgv(argv).map { "sha256:" + $0[5] }
    }

    /// Where builds run.
    public enum Runner: String, Sendable, Equatable {
        /// As the daemon's child: a daemon started by hand, by the demo or by the tests.
        case direct
        /// In a systemd service of its own (`systemd-run`), when the daemon is a systemd
        /// service. hekatond.service's `NoNewPrivileges=yes` disarms the setuid `newuidmap`
        /// that maps `hekaton-build`'s subordinate uids, and its capability bounding set
        /// leaves out the CAP_SYS_ADMIN of `unshare --pid`; the build's unit has neither
        /// restriction, and has the build's memory, task, CPU and time limits.
        case unit

        /// `unit` when systemd started the daemon as a service (it sets INVOCATION_ID and
        /// /run/systemd/system exists), else `direct`; `HEKATON_IMAGE_BUILDS=direct|unit` decides instead.
        public static func detect(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Runner {
            if let chosen = environment["HEKATON_IMAGE_BUILDS"].flatMap(Runner.init(rawValue:)) { return chosen }
            return environment["INVOCATION_ID"] != nil && FileManager.default.fileExists(atPath: "/run/systemd/system") ? .unit : .direct
        }
    }

    /// The limits of a build's unit.
    public struct UnitLimits: Sendable, Equatable {
        public var memoryBytes: Int64
        public var tasks: Int
        public var cpus: Int
        public var wallTimeSeconds: Double

        public init(memoryBytes: Int64, tasks: Int, cpus: Int, wallTimeSeconds: Double) {
            self.memoryBytes = memoryBytes
            self.tasks = tasks
            self.cpus = cpus
            self.wallTimeSeconds = wallTimeSeconds
        }
    }

    /// The unit of submission `submissionID`'s build of environment `hex`: one name per
    /// submission, so that a retry, or the daemon after a restart, finds what an earlier
    /// attempt left running.
    public static func unitName(hex: String, submissionID: Int64) -> String {
        "hekaton-image-build-\(hex.prefix(16))-\(submissionID).service"
    }

    /// The unit a build command runs in; nil when it runs as the daemon's child.
    public static func unitName(of argv: [String]) -> String? {
        argv.count > 3 && argv[0] == "/bin/sh" && argv[2] == unitRunner ? argv[3] : nil
    }

    /// `build` (from `argv`), run in the transient service `unit` with `limits`.
    public static func inUnit(_ build: [String], unit: String, limits: UnitLimits) -> [String] {
        // The job's time limit stops the build first; the unit's own is the backstop for a
        // unit whose daemon was killed before it could stop it.
        let runtime = Int(limits.wallTimeSeconds.rounded(.up)) + 60
        return ["/bin/sh", "-c", unitRunner, unit, "\(limits.memoryBytes)", "\(limits.tasks)", "\(max(limits.cpus, 1) * 100)%", "\(runtime)"]
            + (buildArgv(build) ?? build)
    }

    /// Runs its arguments in the transient service `$0` and waits for it: the build's output
    /// goes to the job's log (`--pipe`), its exit status is the command's. A stopped job
    /// (time limit, cancel, the daemon stopping) stops the unit, whose build then removes
    /// what it left.
    static let unitRunner = #"""
        set -u
        unit=$0 memory=$1 tasks=$2 cpu=$3 runtime=$4
        shift 4
        for tool in systemd-run systemctl; do
          if ! command -v "$tool" >/dev/null; then
            echo "error: under systemd, environment builds run in a unit of their own, and $tool is missing; install systemd or set HEKATON_IMAGE_BUILDS=direct for a daemon started outside its unit" >&2
            exit 78
          fi
        done
        # What an earlier attempt left running (its daemon was killed) is stopped first.
        systemctl stop "$unit" 2>/dev/null
        systemctl reset-failed "$unit" 2>/dev/null
        trap 'systemctl stop "$unit"; exit 143' TERM INT HUP
        # ProtectHome=tmpfs, not =yes: buildah's user-namespace child stats hekaton-build's
        # ~/.config/containers whatever HOME says; an empty /home lets it go on with defaults.
        systemd-run --wait --pipe --collect --service-type=exec --unit="$unit" \
          --description="Hekaton environment build" \
          -p MemoryMax="$memory" -p MemorySwapMax=0 -p TasksMax="$tasks" -p CPUQuota="$cpu" \
          -p RuntimeMaxSec="$runtime" -p TimeoutStopSec=30s \
          -p ProtectHome=tmpfs -p PrivateTmp=yes -p ProtectKernelModules=yes -p ProtectKernelLogs=yes \
          -- "$@" &
        wait $!
        """#

    /// What buildah reports of the step that failed (`building at STEP "RUN false": exit status 1`).
    public static func failedStep(inLog log: String) -> (step: String, error: String)? {
        let marker = "building at STEP \""
        guard let start = log.range(of: marker, options: .backwards) else { return nil }
        let rest = log[start.upperBound...]
        guard let close = rest.range(of: "\": ") else { return nil }
        let step = String(rest[..<close.lowerBound])
        let error = rest[close.upperBound...].prefix { $0 != "\n" }
        return (step, String(error.prefix(300)))
    }
}
